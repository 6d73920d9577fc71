"""Imported by a cycle's member, imports nothing back: not in the cycle."""

VALUE = 4
