"""Imported by nothing at all: dead-module's finding, not this rule's."""  # ok: module-used-only-by-tests

VALUE = 5
