"""Imported only by a dead module: reported once the orphan is removed, not before."""  # ok: dead-module

VALUE = 5
