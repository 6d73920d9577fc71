"""Choosing a store from a URI: a path or embedded://PATH, or bolt:// neo4j:// neo4j+s://."""

from __future__ import annotations

import os

from kg.errors import InputError
from kg.queries.store import Store

DEFAULT_STORE = ".kg"
NEO4J_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")


def open_store(uri: str | None = None, database: str | None = None) -> Store:
    uri = uri or os.environ.get("KG_STORE") or DEFAULT_STORE
    if uri.startswith(NEO4J_SCHEMES):
        try:
            from kg.queries.neo4j_store import Neo4jStore
        except ImportError as e:
            if "neo4j" not in str(e):
                raise
            raise InputError(f"{uri.split('://')[0]}:// needs the Neo4j driver: "
                             "pip install 'kg-audit[neo4j]'") from None
        return Neo4jStore(uri, database=database)
    if "://" in uri and not uri.startswith("embedded://"):
        raise InputError(f"unknown store URI {uri!r}: use a path, embedded://PATH, "
                         "bolt://HOST:PORT or neo4j://HOST:PORT")
    from kg.queries.embedded import EmbeddedStore
    return EmbeddedStore(uri.removeprefix("embedded://"))
