from ..base import base_helper


def go():
    base_helper()
