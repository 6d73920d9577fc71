"""A package imported by nobody whose submodules are used."""  # ok: dead-module

from pkg.core import run

__all__ = ["run"]
