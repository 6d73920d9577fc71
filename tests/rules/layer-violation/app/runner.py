"""The middle layer."""

from app.domain.model import Order  # ok: layer-violation


def run(order: Order):
    return order


def report():
    from app.cli import main  # ruleid: layer-violation
    return main
