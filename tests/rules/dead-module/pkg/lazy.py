"""Imported only inside a function."""  # ok: dead-module

LAZY = 2
