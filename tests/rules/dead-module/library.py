"""Imported by pkg.tool; its name shares lib's prefix but it is not under lib."""  # ok: dead-module

Y = 1
