"""The Neo4j 5 store, through the official `neo4j` driver (an optional extra).

A load replaces its repository in one write transaction: it first MERGEs the
repository's Load node, which takes that node's write lock, so a second load
of the same repository waits for the first to commit; then it deletes the old
subgraph and writes the new one in UNWIND batches. Until the commit, readers
see the previous graph; a failed or killed load is rolled back by the server.
Credentials come from NEO4J_USERNAME / NEO4J_PASSWORD and are never echoed.
"""

from __future__ import annotations

import os

import neo4j
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConfigurationError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from kg.errors import InputError, QueryError, StoreUnavailable
from kg.model.facts import Facts
from kg.model.schema import NODES
from kg.queries.store import QueryResult, Store, normalise

BATCH = 5000
CONNECT_TIMEOUT = 5.0
INDEXED = ("repo", "name", "qualname")


class Neo4jStore(Store):
    def __init__(self, uri: str, database: str | None = None, batch: int = BATCH,
                 query_timeout: float | None = None):
        self.uri = uri
        self.database = database or None
        self.batch = batch
        self.query_timeout = query_timeout
        user = os.environ.get("NEO4J_USERNAME", "neo4j")
        password = os.environ.get("NEO4J_PASSWORD", "")
        try:
            self._driver = neo4j.GraphDatabase.driver(
                uri, auth=(user, password), connection_timeout=CONNECT_TIMEOUT,
                connection_acquisition_timeout=CONNECT_TIMEOUT, max_transaction_retry_time=5.0,
                notifications_min_severity="OFF")
        except (ConfigurationError, ValueError) as e:
            raise InputError(f"bad Neo4j URI {uri!r}: {e}") from None
        self._checked = False

    def close(self) -> None:
        self._driver.close()

    def _session(self, write: bool):
        self._check()
        mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
        return self._driver.session(database=self.database, default_access_mode=mode)

    def _check(self) -> None:
        """Reach the server once, so an unreachable server or a wrong password is said at once."""
        if self._checked:
            return
        try:
            self._driver.verify_connectivity()
        except AuthError:
            raise StoreUnavailable(
                f"Neo4j at {self.uri} refused the credentials: check NEO4J_USERNAME and "
                "NEO4J_PASSWORD") from None
        except (ServiceUnavailable, SessionExpired, OSError) as e:
            raise StoreUnavailable(f"cannot reach Neo4j at {self.uri}: "
                                   f"{_first_line(e)}") from None
        except (ClientError, DriverError) as e:
            raise StoreUnavailable(f"Neo4j at {self.uri}: {_first_line(e)}") from None
        self._checked = True

    # -- writing -----------------------------------------------------------------------------

    def lock_for_writing(self) -> None:
        self._ensure_schema()

    def _ensure_schema(self) -> None:
        statements = [f"CREATE CONSTRAINT kg_{label}_id IF NOT EXISTS "
                      f"FOR (n:{label}) REQUIRE n.id IS UNIQUE" for label in NODES]
        for label, props in NODES.items():
            for prop in INDEXED:
                if prop in props or prop == "repo":
                    statements.append(f"CREATE INDEX kg_{label}_{prop} IF NOT EXISTS "
                                      f"FOR (n:{label}) ON (n.{prop})")
        with self._session(write=True) as session:
            for statement in statements:
                self._run(session, statement)

    def replace_repository(self, repo: str, facts: Facts, load: dict) -> None:
        self._ensure_schema()
        with self._session(write=True) as session:
            try:
                with session.begin_transaction() as tx:
                    tx.run("MERGE (l:Load {id: $id}) SET l.repo = $repo",
                           id=load["id"], repo=repo).consume()
                    for label in NODES:
                        if label != "Load":
                            tx.run(f"MATCH (n:{label} {{repo: $repo}}) DETACH DELETE n",
                                   repo=repo).consume()
                    for label, rows in facts.nodes.items():
                        ordered = [_clean(rows[k]) for k in sorted(rows)]
                        for chunk in _chunks(ordered, self.batch):
                            tx.run(f"UNWIND $rows AS row CREATE (n:{label}) SET n = row",
                                   rows=chunk).consume()
                    for (type, src, dst), edges in facts.edge_groups().items():
                        rows = [{"src": e.src, "dst": e.dst, "props": _clean(dict(e.props))}
                                for e in edges]
                        for chunk in _chunks(rows, self.batch):
                            tx.run(f"UNWIND $rows AS row MATCH (a:{src} {{id: row.src}}) "
                                   f"MATCH (b:{dst} {{id: row.dst}}) "
                                   f"CREATE (a)-[r:{type}]->(b) SET r = row.props",
                                   rows=chunk).consume()
                    tx.run("MATCH (l:Load {id: $id}) SET l = $props",
                           id=load["id"], props=_clean(load)).consume()
                    tx.commit()
            except Neo4jError as e:
                raise QueryError(f"writing the graph to {self.uri} failed: "
                                 f"{_first_line(e)}") from None
            except (ServiceUnavailable, SessionExpired) as e:
                raise StoreUnavailable(f"lost Neo4j at {self.uri} during the load "
                                       f"(nothing was changed): {_first_line(e)}") from None

    # -- reading -----------------------------------------------------------------------------

    def query(self, cypher: str, params: dict | None = None, write: bool = False) -> QueryResult:
        @neo4j.unit_of_work(timeout=self.query_timeout)
        def work(tx):
            result = tx.run(cypher, params or {})
            columns = list(result.keys())
            return columns, [[_value(v) for v in record.values()] for record in result]

        with self._session(write=write) as session:
            try:
                if write:
                    columns, rows = session.execute_write(work)
                else:
                    columns, rows = session.execute_read(work)
            except ClientError as e:
                message = _first_line(e)
                if not write and "write" in message.lower() and "read" in message.lower():
                    message = "this query writes to the graph; pass --write to allow it"
                raise QueryError(message) from None
            except Neo4jError as e:
                raise QueryError(_first_line(e)) from None
            except (ServiceUnavailable, SessionExpired) as e:
                raise StoreUnavailable(f"lost Neo4j at {self.uri}: {_first_line(e)}") from None
        return QueryResult(columns, rows)

    @staticmethod
    def _run(session, statement: str) -> None:
        try:
            session.run(statement).consume()
        except Neo4jError as e:
            raise QueryError(f"{statement}: {_first_line(e)}") from None


def _value(value):
    if isinstance(value, neo4j.graph.Node | neo4j.graph.Relationship):
        return normalise(dict(value.items()))
    if isinstance(value, neo4j.graph.Path):
        return [normalise(dict(n.items())) for n in value.nodes]
    return normalise(value)


def _clean(row: dict) -> dict:
    """Neo4j stores no nulls: a missing property reads back as null, as on the embedded store."""
    return {k: v for k, v in row.items() if v is not None}


def _chunks(rows: list, size: int):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _first_line(e: Exception) -> str:
    message = getattr(e, "message", None) or str(e) or type(e).__name__
    return message.strip().splitlines()[0][:300]

