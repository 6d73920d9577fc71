"""A subpackage whose module is imported directly."""  # ok: dead-module
