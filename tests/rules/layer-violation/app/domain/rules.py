"""Imports within its own layer, and skips a layer upwards."""

import app.cli  # ruleid: layer-violation
from app.domain.model import Order  # ok: layer-violation


def check(order: Order):
    return app.cli.main
