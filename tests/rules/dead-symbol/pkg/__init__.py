"""Re-exports one name for other modules."""

from pkg.shapes import exported_only

__all__ = ["exported_only"]
