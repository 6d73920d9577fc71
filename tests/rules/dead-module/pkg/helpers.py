"""Imported by pkg.cli."""  # ok: dead-module

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pkg.typed import Shape


def help_(shape: "Shape | None" = None):
    from pkg.lazy import LAZY
    return LAZY
