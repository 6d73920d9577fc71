"""a -> b -> c -> a, and b <-> d: one cycle of four modules, reported once, at a."""

from pkg import b  # ruleid: import-cycle
from pkg.util import VALUE as UTIL_VALUE  # ok: import-cycle

VALUE = b.VALUE + UTIL_VALUE
