"""setup.py: run by packaging tools, never imported."""  # ok: dead-module
