"""Imported only under TYPE_CHECKING: still used, by the type checker."""  # ok: dead-module


class Shape:
    pass
