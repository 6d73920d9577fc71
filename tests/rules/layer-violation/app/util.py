"""In no layer: may import anything."""

from app.cli import main  # ok: layer-violation

ENTRY = main
