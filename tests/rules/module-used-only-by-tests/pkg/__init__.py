"""Imported by a test directly, and run before pkg.api, which pkg.cli imports."""  # ok: module-used-only-by-tests
