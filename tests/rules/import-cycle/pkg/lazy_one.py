"""Imports lazy_two, which imports it back inside a function: deferred, not a cycle at import time."""

from pkg import lazy_two  # ok: import-cycle

VALUE = lazy_two.VALUE
