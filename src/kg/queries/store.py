"""The one store interface: there really are two stores (embedded LadybugDB, Neo4j 5)."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from kg.model.changes import Changes
from kg.model.facts import Facts

T = TypeVar("T")

# kg's per-repository bookkeeping node, outside the schema (no kg query, rule or export
# matches its label): on Neo4j the switch-over state of the repository's loads
# (neo4j_store); the embedded store keeps one per repository too, holding only `repo`, so
# an unlabeled `MATCH (n)` finds the same nodes on both stores.
STATE_LABEL = "_KgLoadState"


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[list]

    def dicts(self) -> list[dict]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def sorted_rows(self) -> list[list]:
        return sorted(self.rows, key=repr)


class Store(ABC):
    """A graph database holding one or more loaded repositories."""

    uri: str

    @abstractmethod
    def replace_repository(self, repo: str, facts: Facts, load: dict,
                           changes: Changes | None = None) -> None:
        """Swap in a repository's new subgraph and its Load node, all or nothing.

        Until this returns, readers see the previous graph; if it fails or the
        process is killed, the previous graph is still whole.

        changes, from an incremental load, turn the graph whose Load node is
        changes.base into facts: when the store's graph of the repository is that
        one, the store writes only the changes; otherwise (another load came between,
        the graph was written since) it writes facts whole. The result is the same.
        """

    @abstractmethod
    def query(self, cypher: str, params: dict | None = None, write: bool = False) -> QueryResult:
        """Run Cypher; read-only unless write. Values come back normalised (see `normalise`)."""

    @abstractmethod
    def close(self) -> None: ...

    def lock_for_writing(self) -> None:  # noqa: B027 (a store without a writer lock needs nothing)
        """Fail now, not after a long parse, when another writer holds the store."""

    def consistently(self, read: Callable[[], T]) -> T:
        """read() (several queries, e.g. a whole audit) on one generation of the graph.

        The embedded store's open database is one generation already; the Neo4j store
        reruns read() when a load switched the graph over while it ran."""
        return read()

    def loads(self) -> list[dict]:
        """The Load node of every repository in the store, by repository name."""
        result = self.query("MATCH (l:Load) RETURN l ORDER BY l.repo")
        return [row[0] for row in result.rows]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def normalise(value):
    """One Python shape for values from either store, so rows compare equal across stores."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and not math.isnan(value) and value.is_integer() \
            and abs(value) < 2**53:
        return value
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]
    if isinstance(value, dict):
        # A node or relationship as a map of its properties: Neo4j stores no nulls (a null
        # property is an absent one), so an absent and a null property read back alike.
        return {k: normalise(v) for k, v in sorted(value.items())
                if not k.startswith("_") and v is not None}
    return value
