"""The graph vocabulary and the plain facts the loader hands to a store."""

from kg.model.facts import Edge, Facts
from kg.model.schema import NODES, RELATIONSHIPS, SCHEMA_VERSION

__all__ = ["Edge", "Facts", "NODES", "RELATIONSHIPS", "SCHEMA_VERSION"]
