"""The top layer: may import every layer below."""

from app import runner  # ok: layer-violation
from app.domain.model import Order  # ok: layer-violation


def main():
    return runner.run(Order())
