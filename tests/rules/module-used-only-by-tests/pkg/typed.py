"""Imported by pkg.cli under TYPE_CHECKING only, and by tests: still used by the code."""  # ok: module-used-only-by-tests


class Shape:
    pass
