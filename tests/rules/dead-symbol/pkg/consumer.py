"""Imports names without using them otherwise: the import alone counts."""

from pkg.shapes import imported_elsewhere  # noqa: F401
from pkg.star_target import *  # noqa: F403

consumer_value = 1  # ok: dead-symbol
print(consumer_value)
