"""A package none of whose modules is used (library.py only shares its prefix)."""  # ruleid: dead-module
