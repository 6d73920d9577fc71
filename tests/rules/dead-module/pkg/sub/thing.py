"""Imported as pkg.sub.thing."""  # ok: dead-module

THING = 7
