"""Stores and named Cypher: the one place that talks to a graph database."""

from kg.queries.open import open_store
from kg.queries.store import QueryResult, Store

__all__ = ["QueryResult", "Store", "open_store"]
