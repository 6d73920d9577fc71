"""The embedded store: LadybugDB, in-process, one database file plus its WAL.

A load replaces its repository inside one transaction (delete the old
subgraph, COPY the new one from Arrow tables, commit), so a failed or killed
load rolls back to the previous graph. LadybugDB admits one writer per file:
a second gets a lock error, which we report as StoreBusy. Readers open the
file read-only and see the last committed snapshot, even during a load.
"""

from __future__ import annotations

import re
from pathlib import Path

import ladybug
import pyarrow as pa

from kg.errors import QueryError, StoreBusy, StoreUnavailable
from kg.model.facts import Facts
from kg.model.schema import NODES, RELATIONSHIPS, node_properties
from kg.queries.store import QueryResult, Store, normalise

DB_FILE = "graph.lbdb"

ARROW_TYPES = {
    "STRING": pa.string(), "INT64": pa.int64(), "BOOLEAN": pa.bool_(), "DOUBLE": pa.float64(),
    "STRING[]": pa.list_(pa.string()),
}


class EmbeddedStore(Store):
    def __init__(self, path: str | Path):
        self.dir = Path(path)
        self.uri = f"embedded://{self.dir}"
        self._db = None
        self._writable = False

    # -- connections -------------------------------------------------------------------------

    def _connect(self, write: bool) -> ladybug.Connection:
        if self._db is not None and self._writable == write:
            return ladybug.Connection(self._db)
        self._close_db()
        file = self.dir / DB_FILE
        if not write and not file.exists():
            raise StoreUnavailable(f"no graph at {self.dir}: run `kg load PATH` first")
        try:
            if write:
                self.dir.mkdir(parents=True, exist_ok=True)
            self._db = ladybug.Database(str(file), read_only=not write)
        except RuntimeError as e:
            raise _store_error(e, self.dir) from None
        self._writable = write
        conn = ladybug.Connection(self._db)
        if write:
            _ensure_schema(conn, self.dir)
        return conn

    def _close_db(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def close(self) -> None:
        self._close_db()

    def lock_for_writing(self) -> None:
        """Take the store's single writer lock now, so a busy store fails before a long parse."""
        self._connect(write=True)

    # -- writing -----------------------------------------------------------------------------

    def replace_repository(self, repo: str, facts: Facts, load: dict) -> None:
        conn = self._connect(write=True)
        conn.execute("BEGIN TRANSACTION")
        try:
            for label in NODES:
                conn.execute(f"MATCH (n:{label}) WHERE n.repo = $repo DETACH DELETE n",
                             {"repo": repo})
            for label, rows in facts.nodes.items():
                if rows:
                    _copy_nodes(conn, label, [rows[k] for k in sorted(rows)])
            _copy_nodes(conn, "Load", [load])
            for (type, src, dst), edges in facts.edge_groups().items():
                _copy_edges(conn, type, src, dst, edges)
            conn.execute("COMMIT")
        except BaseException as e:
            try:
                conn.execute("ROLLBACK")
            except RuntimeError:
                pass
            if isinstance(e, RuntimeError):
                raise QueryError(f"writing the graph to {self.dir} failed: {e}") from None
            raise

    # -- reading -----------------------------------------------------------------------------

    def query(self, cypher: str, params: dict | None = None, write: bool = False) -> QueryResult:
        conn = self._connect(write=write)
        try:
            result = conn.execute(cypher, params or {})
        except RuntimeError as e:
            message = str(e).strip()
            if not write and "read-only database" in message.lower():
                message = "this query writes to the graph; pass --write to allow it"
            raise QueryError(message) from None
        if isinstance(result, list):
            result = result[-1]
        columns = result.get_column_names()
        rows = []
        while result.has_next():
            rows.append([normalise(v) for v in result.get_next()])
        return QueryResult(columns, rows)


def _store_error(e: RuntimeError, path: Path) -> StoreUnavailable:
    text = str(e)
    if "lock" in text.lower():
        pid = re.search(r"PID (\d+)", text)
        who = f" (process {pid.group(1)})" if pid else ""
        return StoreBusy(f"the store {path} is being written by another kg process{who}; "
                         "wait for that load to finish and try again")
    return StoreUnavailable(f"cannot open the store {path}: {text.splitlines()[0]}")


def _ensure_schema(conn: ladybug.Connection, path: Path) -> None:
    """Create missing tables; refuse a store whose tables another schema made (nothing is lost)."""
    existing = {row[0] for row in _rows(conn, "CALL show_tables() RETURN name")}
    for label in NODES:
        if label not in existing:
            columns = ", ".join(f"{name} {type}" for name, type in node_properties(label).items())
            conn.execute(f"CREATE NODE TABLE {label}({columns}, PRIMARY KEY(id))")
        else:
            _check_columns(conn, path, label, list(node_properties(label)))
    for type, (pairs, props) in RELATIONSHIPS.items():
        if type not in existing:
            ends = ", ".join(f"FROM {a} TO {b}" for a, b in pairs)
            columns = "".join(f", {name} {t}" for name, t in props.items())
            conn.execute(f"CREATE REL TABLE {type}({ends}{columns})")
        else:
            _check_columns(conn, path, type, list(props))


def _check_columns(conn, path: Path, table: str, expected: list[str]) -> None:
    found = [row[0] for row in _rows(conn, f"CALL table_info('{table}') RETURN name")]
    if found != expected:
        raise StoreUnavailable(
            f"the store {path} was written with another graph schema ({table} has columns "
            f"{', '.join(found)}); load into a new store (--store) or delete {path} and load again")


def _rows(conn, cypher: str) -> list:
    result = conn.execute(cypher)
    rows = []
    while result.has_next():
        rows.append(result.get_next())
    return rows


def _copy_nodes(conn: ladybug.Connection, label: str, rows: list[dict]) -> None:
    props = node_properties(label)
    rows_table = pa.table({name: pa.array([r.get(name) for r in rows], type=ARROW_TYPES[t])
                           for name, t in props.items()})
    conn.execute(f"COPY {label} FROM $rows", {"rows": rows_table})


def _copy_edges(conn: ladybug.Connection, type: str, src: str, dst: str, edges: list) -> None:
    props = RELATIONSHIPS[type][1]
    columns = {"from": pa.array([e.src for e in edges], type=pa.string()),
               "to": pa.array([e.dst for e in edges], type=pa.string())}
    for name, t in props.items():
        columns[name] = pa.array([e.prop(name) for e in edges], type=ARROW_TYPES[t])
    conn.execute(f"COPY {type} FROM $rows (from='{src}', to='{dst}')", {"rows": pa.table(columns)})
