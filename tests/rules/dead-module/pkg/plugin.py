"""Loaded by importlib.import_module("pkg.plugin"), which the loader does not record."""  # todook: dead-module

VALUE = 4
