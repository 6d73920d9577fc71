"""The embedded store: LadybugDB, in-process, in a folder of database generations.

A load never changes the graph that readers see. It copies the current
database file to a new generation, replaces its repository there (delete the
old subgraph, COPY the new one from Arrow tables; or, for an incremental load
handed the changes, apply only those), closes it, and then switches the
folder's CURRENT pointer to it with one atomic rename. A failed
or killed load leaves CURRENT, and the file it names, untouched; its
half-written generation is deleted by the next load. (One transaction in
place is not enough: LadybugDB 0.22 can recover a COPY killed during its
commit with the delete applied and the copied rows lost.)

CURRENT also records the size, modification time and inode the generation had
when its load closed it: a generation written since (a `kg query --write`)
no longer matches, and the next load writes its repository whole rather than
apply changes computed against a graph the file no longer holds.

A generation copied from the previous one keeps the pages its writes freed, so the
file of a store reloaded partially all day would grow. CURRENT records, third, the
size of the last generation written from empty (a *fresh* write) and the nodes and
relationships it held (as its Load nodes count them); a load that finds the current
file more than COMPACT_AT times what a fresh write of its items would take at that
rate writes a fresh generation instead: the repository whole, and every other
repository's nodes and relationships carried over from the current one.

Each load also keeps a `_KgLoadState` node of the repository (only `repo`): Neo4j's store
has one for its switch-over protocol, and unlabeled queries then count alike on both.

One writer at a time: a load holds an exclusive lock on the folder's `lock`
file, so a second load fails at once with StoreBusy. Readers open the
current generation read-only and keep seeing it while a load runs.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import ladybug
import pyarrow as pa

from kg.errors import QueryError, StoreBusy, StoreUnavailable
from kg.model.changes import Changes
from kg.model.facts import Facts
from kg.model.schema import NODES, RELATIONSHIPS, node_properties
from kg.queries.store import STATE_LABEL, QueryResult, Store, normalise

T = TypeVar("T")

CURRENT = "CURRENT"
STATE = f"`{STATE_LABEL}`"
STATE_COLUMNS = {"repo": "STRING"}
KG_TABLES = {*NODES, *RELATIONSHIPS, STATE_LABEL}
MERGE_STATE = f"MERGE (s:{STATE} {{repo: $repo}})"
LEGACY_FILE = "graph.lbdb"
GENERATION = re.compile(r"^graph-(\d{6})\.lbdb(?:\..+)?$")   # the file or a sidecar

# A file this many times the size a fresh write of its graph would take is rewritten fresh
# by the next load (a partial write of sympy's graph leaves ~1.2 MB of freed pages).
COMPACT_AT = 2.0

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
        self._lock_fd: int | None = None

    # -- connections -------------------------------------------------------------------------

    def current_file(self) -> Path | None:
        """The database file readers see: the generation CURRENT names."""
        try:
            name = (self.dir / CURRENT).read_text().split("\n", 1)[0].strip()
        except FileNotFoundError:
            legacy = self.dir / LEGACY_FILE
            return legacy if legacy.exists() else None
        except OSError as e:
            raise StoreUnavailable(f"cannot read {self.dir / CURRENT}: {e}") from None
        return self.dir / name

    def _connect(self, write: bool) -> ladybug.Connection:
        if self._db is not None and self._writable == write:
            return ladybug.Connection(self._db)
        self._close_db()
        if write:
            self.lock_for_writing()
        file = self.current_file()
        if file is None:
            if not write:
                raise StoreUnavailable(f"no graph at {self.dir}: run `kg load PATH` first")
            file = self._new_generation(None)
            self._switch_to(file)
        try:
            self._db = _open(file, read_only=not write)
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
        if self._lock_fd is not None:
            os.close(self._lock_fd)   # releases the lock
            self._lock_fd = None

    def lock_for_writing(self) -> None:
        """Take the store's single writer lock now, so a busy store fails before a long parse."""
        if self._lock_fd is not None:
            return
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.dir / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise StoreUnavailable(f"cannot write to the store {self.dir}: {e}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip()
            os.close(fd)
            who = f" (process {holder})" if holder.isdigit() else ""
            raise StoreBusy(f"the store {self.dir} is being written by another kg process{who}; "
                            "wait for that load to finish and try again") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._lock_fd = fd
        self._check_schema()

    def _check_schema(self) -> None:
        """Refuse a store another schema wrote before the load parses anything."""
        file = self.current_file()
        if file is None or self._db is not None:
            return
        try:
            db = _open(file, read_only=True)
        except RuntimeError as e:
            raise _store_error(e, self.dir) from None
        try:
            _ensure_schema(ladybug.Connection(db), self.dir, create=False)
        finally:
            db.close()

    # -- writing -----------------------------------------------------------------------------

    def replace_repository(self, repo: str, facts: Facts, load: dict,
                           changes: Changes | None = None) -> None:
        self.lock_for_writing()
        self._close_db()
        previous = self.current_file()
        self._forget_failed_loads(previous)
        _finish_recovery(previous)
        fresh = self._fresh(previous)
        stored, items = _load_node(previous, repo) if previous is not None else (None, 0)
        # A file grown past COMPACT_AT times what a fresh write would take is written fresh.
        compact = previous is not None and fresh is not None \
            and _size(previous) * fresh[1] > COMPACT_AT * fresh[0] * items \
            and _kg_tables_only(previous)
        # Changes apply to a copy of the generation they were computed against: the last
        # one a load wrote, unwritten since, holding the repository's Load node they name.
        update = (not compact and changes is not None and previous is not None
                  and self._untouched(previous) and stored == changes.base)
        if not update:
            # A load extracted in a forked child has its facts handed over now, before this
            # write takes memory: the child's heap and the write never meet (forked.Deferred).
            _ = facts.nodes
        # A store holding nothing but this repository starts from an empty generation:
        # what deleting the repository from a copy would leave, without the deletion
        # (sympy's reload: 14 of its 20 CPU seconds), nor the copy's freed pages. So does a
        # compaction, carrying the other repositories over.
        alone = previous is None or (not update and _only_repository(previous, repo))
        keep = not (alone or compact)
        file = self._new_generation(previous if keep else None)
        try:
            # One CHECKPOINT at the end: LadybugDB's automatic one after each COPY into a
            # relationship table costs ~30 ms of CPU each, a second per load.
            db = ladybug.Database(str(file), auto_checkpoint=False)
            conn = ladybug.Connection(db)
            try:
                _ensure_schema(conn, self.dir)
                if compact and not alone:
                    _carry_over(previous, conn, repo)
                if update:
                    _apply(conn, repo, changes, load)
                else:
                    _replace(conn, repo, facts, load, delete=keep)
                items = _items(conn)
                conn.execute("CHECKPOINT")
            finally:
                conn.close()
                db.close()
        except RuntimeError as e:
            _remove_generation(file)
            raise QueryError(f"writing the graph to {self.dir} failed: {e}") from None
        except BaseException:
            _remove_generation(file)
            raise
        # The size and items of a fresh write: this one's, or carried over (this one's
        # when the store's CURRENT predates the record).
        self._switch_to(file, fresh=(_size(file), items) if not keep or fresh is None
                        else fresh)
        self._forget_generations(keep={file, previous})

    def _fresh(self, file: Path | None) -> tuple[int, int] | None:
        """The size and items of the last generation written fresh, as CURRENT records them
        for file."""
        try:
            lines = (self.dir / CURRENT).read_text().split("\n")
        except OSError:
            return None
        if file is None or lines[0].strip() != file.name or len(lines) < 3:
            return None
        numbers = lines[2].split()
        if len(numbers) != 2 or not all(n.isdigit() for n in numbers) or numbers[1] == "0":
            return None
        return int(numbers[0]), int(numbers[1])

    def _new_generation(self, previous: Path | None) -> Path:
        numbers = [int(m.group(1)) for p in self.dir.iterdir() if (m := GENERATION.match(p.name))]
        file = self.dir / f"graph-{max(numbers, default=0) + 1:06d}.lbdb"
        _remove_generation(file)
        if previous is not None:
            shutil.copyfile(previous, file)
        return file

    def _switch_to(self, file: Path, fresh: tuple[int, int] | None = None) -> None:
        pending = self.dir / (CURRENT + ".new")
        record = "" if fresh is None else f"{fresh[0]} {fresh[1]}"
        with open(pending, "w") as out:
            out.write(f"{file.name}\n{_written(file)}\n{record}\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(pending, self.dir / CURRENT)
        directory = os.open(self.dir, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def _untouched(self, file: Path) -> bool:
        """Whether file is as the load that wrote it left it (CURRENT says how that was)."""
        try:
            lines = (self.dir / CURRENT).read_text().split("\n")
        except OSError:
            return False
        return len(lines) > 1 and lines[0].strip() == file.name \
            and lines[1].strip() == _written(file) != ""

    def _forget_failed_loads(self, current: Path | None) -> None:
        """Generations newer than the current one are what failed or killed loads left."""
        match = GENERATION.match(current.name) if current is not None else None
        newest = int(match.group(1)) if match else 0
        for path in self.dir.iterdir():
            found = GENERATION.match(path.name)
            if found and int(found.group(1)) > newest:
                path.unlink(missing_ok=True)

    def _forget_generations(self, keep: set) -> None:
        """Delete generations other than the current and the previous one (a reader that read
        CURRENT just before the switch may still be opening the previous one)."""
        kept = {p.name for p in keep if p is not None}
        for path in self.dir.iterdir():
            if GENERATION.match(path.name) and path.name.split(".lbdb")[0] + ".lbdb" not in kept:
                path.unlink(missing_ok=True)


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


def _replace(conn: ladybug.Connection, repo: str, facts: Facts, load: dict,
             delete: bool = True) -> None:
    """Nobody reads this generation yet: each statement may commit on its own."""
    for label in NODES if delete else ():
        conn.execute(f"MATCH (n:{label}) WHERE n.repo = $repo DETACH DELETE n", {"repo": repo})
    for label, rows in facts.nodes.items():
        if rows:
            _copy_nodes(conn, label, [rows[k] for k in sorted(rows)])
    _copy_nodes(conn, "Load", [load])
    conn.execute(MERGE_STATE, {"repo": repo})
    for (type, src, dst), edges in facts.edge_groups().items():
        _copy_edges(conn, type, src, dst, edges)


def _apply(conn: ladybug.Connection, repo: str, changes: Changes, load: dict) -> None:
    """Turn the repository's graph in this generation into the new one (Changes says in which
    order); nobody reads this generation yet, so each statement may commit on its own."""
    for (type, src, dst), links in changes.unlinked_groups().items():
        rows = pa.table({"s": [link[2] for link in links], "d": [link[4] for link in links]})
        conn.execute(f"LOAD FROM $rows MATCH (a:{src} {{id: s}})-[r:{type}]->(b:{dst} {{id: d}}) "
                     "DELETE r", {"rows": rows})
    for label, ids in changes.removed.items():
        conn.execute(f"LOAD FROM $rows MATCH (n:{label} {{id: i}}) DETACH DELETE n",
                     {"rows": pa.table({"i": pa.array(ids, type=pa.string())})})
    for label, rows in changes.changed.items():
        _set_nodes(conn, label, rows)
    conn.execute("MATCH (l:Load) WHERE l.repo = $repo DELETE l", {"repo": repo})
    for label, rows in changes.added.items():
        _copy_nodes(conn, label, rows)
    _copy_nodes(conn, "Load", [load])
    conn.execute(MERGE_STATE, {"repo": repo})
    for (type, src, dst), edges in changes.edge_groups().items():
        _copy_edges(conn, type, src, dst, edges)


def _set_nodes(conn: ladybug.Connection, label: str, rows: list[dict]) -> None:
    """Every property of each node to its row's value, null where the row has none."""
    props = node_properties(label)
    columns = {f"c{i}": pa.array([r.get(name) for r in rows], type=ARROW_TYPES[t])
               for i, (name, t) in enumerate(props.items())}
    assignments = ", ".join(f"n.{name} = c{i}" for i, name in enumerate(props) if name != "id")
    conn.execute(f"LOAD FROM $rows MATCH (n:{label} {{id: c0}}) SET {assignments}",
                 {"rows": pa.table(columns)})


def _asked(file: Path, question: Callable[[ladybug.Connection], T], otherwise: T) -> T:
    """question answered by a read-only open of a generation; otherwise when the file
    cannot be opened or asked (any doubt about a generation gives the cautious answer)."""
    try:
        db = ladybug.Database(str(file), read_only=True)
    except RuntimeError:
        return otherwise
    try:
        return question(ladybug.Connection(db))
    except RuntimeError:
        return otherwise
    finally:
        db.close()


def _load_node(file: Path, repo: str) -> tuple[dict | None, int]:
    """The repository's Load node in a generation, as a query returns it, and the items
    the generation holds (one open of the file for both)."""
    def question(conn: ladybug.Connection) -> tuple[dict | None, int]:
        result = conn.execute("MATCH (l:Load) WHERE l.repo = $repo RETURN l", {"repo": repo})
        rows = [normalise(result.get_next()[0]) for _ in iter(result.has_next, False)]
        return rows[0] if len(rows) == 1 else None, _items(conn)
    return _asked(file, question, (None, 0))


def _written(file: Path) -> str:
    """How a generation file stands: a write since changes its time (and mostly its size)."""
    try:
        stat = file.stat()
    except OSError:
        return ""
    return f"{stat.st_size} {stat.st_mtime_ns} {stat.st_ino}"


def _only_repository(file: Path, repo: str) -> bool:
    """Whether the generation holds exactly kg's tables and no node of another repository
    (nor one without a repository, as a `kg query --write` may add): then the repository's
    replacement is the new graph alone. Any doubt answers no, and the load copies."""
    def question(conn: ladybug.Connection) -> bool:
        tables = {row[0] for row in _rows(conn, "CALL show_tables() RETURN name")}
        if not set(NODES) | set(RELATIONSHIPS) <= tables <= KG_TABLES:
            return False
        for label in [*NODES, STATE] if STATE_LABEL in tables else NODES:
            result = conn.execute(f"MATCH (n:{label}) WHERE n.repo IS NULL OR n.repo <> $repo "
                                  "RETURN count(*)", {"repo": repo})
            if result.get_next()[0]:
                return False
        return True
    return _asked(file, question, False)


def _size(file: Path) -> int:
    try:
        return file.stat().st_size
    except OSError:
        return 0


def _items(conn: ladybug.Connection) -> int:
    """The nodes and relationships a generation holds, as its Load nodes count them."""
    total = 0
    for (counts,) in _rows(conn, "MATCH (l:Load) RETURN l.counts"):
        total += 1
        try:
            total += sum(int(n) for n in json.loads(counts or "{}").values())
        except (ValueError, TypeError, AttributeError):
            pass
    return total


def _kg_tables_only(file: Path) -> bool:
    """Whether the generation holds no table of its own beyond kg's (a `kg query --write` may
    create one): only kg's tables can be carried over into a fresh generation."""
    def question(conn: ladybug.Connection) -> bool:
        return {row[0] for row in _rows(conn, "CALL show_tables() RETURN name")} <= KG_TABLES
    return _asked(file, question, False)


def _carry_over(previous: Path, conn: ladybug.Connection, repo: str) -> None:
    """Every node and relationship of the previous generation that is not the repository's
    (nor touches it) into the new, empty one, a table at a time through Arrow."""
    db = ladybug.Database(str(previous), read_only=True)
    try:
        old = ladybug.Connection(db)
        others = "(n.repo IS NULL OR n.repo <> $repo)"
        tables = {row[0] for row in _rows(old, "CALL show_tables() RETURN name")}
        labels = [(label, node_properties(label)) for label in NODES]
        if STATE_LABEL in tables:
            labels.append((STATE, STATE_COLUMNS))
        for label, props in labels:
            columns = ", ".join(f"n.{name} AS {name}" for name in props)
            rows = old.execute(f"MATCH (n:{label}) WHERE {others} RETURN {columns}",
                               {"repo": repo}).get_as_arrow()
            if rows.num_rows:
                conn.execute(f"COPY {label} FROM $rows", {"rows": _typed(rows, props)})
        for type, (pairs, props) in RELATIONSHIPS.items():
            for src, dst in pairs:
                columns = "".join(f", r.{name} AS {name}" for name in props)
                rows = old.execute(
                    f"MATCH (a:{src})-[r:{type}]->(n:{dst}) WHERE {others} AND "
                    f"(a.repo IS NULL OR a.repo <> $repo) RETURN a.id AS `from`, n.id AS `to`"
                    f"{columns}", {"repo": repo}).get_as_arrow()
                if rows.num_rows:
                    typed = _typed(rows, {"from": "STRING", "to": "STRING", **props})
                    conn.execute(f"COPY {type} FROM $rows (from='{src}', to='{dst}')",
                                 {"rows": typed})
    finally:
        db.close()


def _typed(rows: pa.Table, types: dict[str, str]) -> pa.Table:
    return rows.cast(pa.schema([(name, ARROW_TYPES[t]) for name, t in types.items()]))


def _finish_recovery(file: Path | None) -> None:
    """A write killed in place (`kg query --write`) leaves a WAL: apply or undo it before the
    file is copied, so the copy is whole."""
    if file is not None and Path(str(file) + ".wal").exists():
        try:
            ladybug.Database(str(file)).close()
        except RuntimeError as e:
            raise _store_error(e, file.parent) from None


def _remove_generation(file: Path) -> None:
    """The database file and LadybugDB's files beside it (.wal, .shadow, checkpoint locks)."""
    for path in [file, *file.parent.glob(file.name + ".*")]:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def _open(file: Path, read_only: bool) -> ladybug.Database:
    """Open the database; after a killed load, recover it first (rolling back what the killed
    process left unfinished), which needs one read-write open."""
    try:
        return ladybug.Database(str(file), read_only=read_only)
    except RuntimeError as e:
        if not (read_only and "recovery is pending" in str(e)):
            raise
    ladybug.Database(str(file), read_only=False).close()
    return ladybug.Database(str(file), read_only=True)


def _store_error(e: RuntimeError, path: Path) -> StoreUnavailable:
    text = str(e)
    if "lock" in text.lower():
        pid = re.search(r"PID (\d+)", text)
        who = f" (process {pid.group(1)})" if pid else ""
        return StoreBusy(f"the store {path} is being written by another kg process{who}; "
                         "wait for that load to finish and try again")
    return StoreUnavailable(f"cannot open the store {path}: {text.splitlines()[0]}")


def _ensure_schema(conn: ladybug.Connection, path: Path, create: bool = True) -> None:
    """Create missing tables; refuse a store whose tables another schema made (nothing is lost)."""
    existing = {row[0] for row in _rows(conn, "CALL show_tables() RETURN name")}
    for label in NODES:
        if label not in existing:
            if not create:
                continue
            columns = ", ".join(f"{name} {type}" for name, type in node_properties(label).items())
            conn.execute(f"CREATE NODE TABLE {label}({columns}, PRIMARY KEY(id))")
        else:
            _check_columns(conn, path, label, list(node_properties(label)))
    for type, (pairs, props) in RELATIONSHIPS.items():
        if type not in existing:
            if not create:
                continue
            ends = ", ".join(f"FROM {a} TO {b}" for a, b in pairs)
            columns = "".join(f", {name} {t}" for name, t in props.items())
            conn.execute(f"CREATE REL TABLE {type}({ends}{columns})")
        else:
            _check_columns(conn, path, type, list(props))
    if STATE_LABEL not in existing:
        if create:
            columns = ", ".join(f"{name} {t}" for name, t in STATE_COLUMNS.items())
            conn.execute(f"CREATE NODE TABLE {STATE}({columns}, PRIMARY KEY(repo))")
    else:
        _check_columns(conn, path, STATE_LABEL, list(STATE_COLUMNS))


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
    if props:
        values = [dict(e.props) for e in edges]     # once per edge, not once per property
        for name, t in props.items():
            columns[name] = pa.array([v.get(name) for v in values], type=ARROW_TYPES[t])
    conn.execute(f"COPY {type} FROM $rows (from='{src}', to='{dst}')", {"rows": pa.table(columns)})
