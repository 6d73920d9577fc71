"""pytest's conftest: loaded by pytest."""  # ok: dead-module
