"""Modules in import cycles, and look-alikes that are not cycles."""
