"""The Neo4j 5 store, through the official `neo4j` driver (an optional extra).

A load replaces its repository in one write transaction, B: it first MERGEs the
repository's Load node, which takes that node's write lock (on a first load,
the uniqueness constraint's lock on its id), so a second load of the same
repository waits for the first to commit or roll back; then it deletes the
old subgraph and writes the new one in UNWIND batches. An incremental load
hands the changes from the graph its Load node records to the new one: when
that Load node is the one in the store (read under its lock), B applies only
those; otherwise (another load came between) it writes the whole graph. Until the commit,
readers see the previous graph; a failed load is rolled back, and a killed one
too, when the server sees its connection close.

The commit itself is not atomic for readers: Neo4j reads are read committed and
a commit becomes visible record by record, the Load node's before or after the
rest, so no mark written inside B can tell a reader that its query ran across
the commit. So the switch-over is announced outside B, on the repository's
`_KgLoadState` node, which B never locks:

  A  (own transaction, committed just before B's commit) switching = true,
     switches + 1, this writer's token, and a heartbeat time (server clock);
  B  commit (a thread refreshes A's heartbeat every SWITCH_BEAT s meanwhile);
  C  (own transaction, after B's commit returned) switching = false, if the
     token is still this writer's (a later load's A may have taken over).

A reader reads every repository's state before and after its query, in its
read transaction, and keeps the rows only if both reads are equal and neither
shows a live switch; otherwise it waits a little and runs the query again, for
up to SWITCH_WAIT s. Why that is enough: B's records become visible only after
its commit starts, which is after A is visible, and are all visible when the
commit returns, before C. A query whose state reads both precede A's saw none
of B; one whose reads both follow C saw all of B; any query overlapping B's
commit has a state read during the switch (switching) or reads on both sides
of it (switches differ). A switching flag whose heartbeat is older than
SWITCH_STALE s belongs to a load killed between A and C: its B was rolled back
(not yet committed) or was committed by the server on its own, so the graph is
whole either way; readers treat the flag as off, and the next load resets it.

A graph written since its load is written whole by the next incremental load,
not patched: the changes were computed against the graph the load wrote. B's
check, under the Load node's lock, that the store still holds that graph asks
two things. A `kg query --write` that changed anything sets WRITTEN on every
Load node in its own transaction (so the next load of any repository sees it;
the load's final `SET l = $props` clears it). Any other client is noticed when
it changed how many nodes of a kg label or relationships of a kg type the
database holds: each load records on its Load node, as UNACCOUNTED, the
database's counts (the count store answers them without a scan) less what
every repository's Load node says it holds, and the next load requires the
same difference. A client that only sets properties, or deletes as much of a
label as it creates, goes unnoticed (docs/stores.md).

Credentials come from NEO4J_USERNAME / NEO4J_PASSWORD and appear in no
message: errors name the URI (without any user:password@ part) and the user.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
import uuid
from contextlib import contextmanager

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
from kg.model.changes import Changes
from kg.model.facts import Facts
from kg.model.schema import NODES, RELATIONSHIPS
from kg.queries.store import STATE_LABEL, QueryResult, Store, normalise

# Rows per UNWIND statement: benchmarks/neo4j_write.py measures rows/s for several sizes
# (results in benchmarks/results/neo4j.json); the best was kept. Reloading rich 13.9.4
# (71 k rows): 500 -> 5.0 k rows/s, 1000 -> 7.0 k, 2000 -> 6.0 k, 5000 -> 5.3 k,
# 10000 -> 5.4 k, 20000 -> 6.7 k; on a busy 2-core machine, so the spread is mostly noise.
BATCH = 1000
# Seconds for the TCP connect, and for the Bolt handshake and a free connection: together
# they keep "unreachable" or "silent server" under 5 s, start-up included.
CONNECT_TIMEOUT = 2.0
ACQUIRE_TIMEOUT = 2.5
# Seconds a read query may run (KG_NEO4J_QUERY_TIMEOUT; 0 means no limit).
QUERY_TIMEOUT = 600.0
INDEXED = ("repo", "name", "qualname")
# The per-repository switch-over state (see the module docstring) is on the node of kg's
# own bookkeeping, STATE_LABEL, outside the schema: no kg query, rule or export matches it.
STATES = (f"MATCH (s:`{STATE_LABEL}`) RETURN s.repo AS repo, s.switches AS switches, "
          "coalesce(s.switching, false) AND s.beat > timestamp() - $stale_ms AS switching "
          "ORDER BY repo")
SWITCH_ON = (f"MERGE (s:`{STATE_LABEL}` {{repo: $repo}}) SET s.switching = true, "
             "s.writer = $token, s.beat = timestamp(), s.switches = coalesce(s.switches, 0) + 1")
SWITCH_BEAT_CYPHER = (f"MATCH (s:`{STATE_LABEL}` {{repo: $repo}}) WHERE s.writer = $token "
                      "AND s.switching SET s.beat = timestamp()")
SWITCH_OFF = (f"MATCH (s:`{STATE_LABEL}` {{repo: $repo}}) WHERE s.writer = $token "
              "SET s.switching = false, s.beat = timestamp()")
# Seconds between a committing writer's heartbeats; after how long without one a switching
# flag is a dead writer's; how long a reader waits for switch-overs before giving up; and its
# pause between tries.
SWITCH_BEAT = 1.0
SWITCH_STALE = 10.0
SWITCH_WAIT = 120.0
READ_RETRY = 0.02
# Times consistently() runs a reader again when a load switched the graph over meanwhile.
CONSISTENT_ATTEMPTS = 5
UNPINNED = object()
# Seconds a load waits for the server to resample its indexes after the commit.
REPLAN_TIMEOUT = 60
# The Load node's bookkeeping of what wrote the graph since its load (module docstring);
# a leading underscore keeps them out of every node a query returns (store.normalise).
WRITTEN = "_written"
UNACCOUNTED = "_unaccounted"
RETIRE_LOADS = f"MATCH (l:Load) WITH l ORDER BY l.id SET l.{WRITTEN} = timestamp()"
COUNTED = " UNION ALL ".join(
    [f"MATCH (n:{label}) RETURN '{label}' AS kind, count(n) AS n"
     for label in NODES if label != "Load"]
    + [f"MATCH ()-[r:{type}]->() RETURN '{type}' AS kind, count(r) AS n"
       for type in RELATIONSHIPS])

# The driver's own log lines ("Unable to retrieve routing information") would reach stderr
# through logging's last-resort handler; kg says what went wrong in its own words.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

_USERINFO = re.compile(r"^([a-z+]+://)[^/@]*@", re.I)


class Neo4jStore(Store):
    def __init__(self, uri: str, database: str | None = None, batch: int = BATCH,
                 query_timeout: float | None = None):
        if _USERINFO.match(uri):
            raise InputError("put the Neo4j credentials in NEO4J_USERNAME and NEO4J_PASSWORD, "
                             f"not in the URI ({safe_uri(uri)})")
        self.uri = uri
        self.database = database or None
        self.batch = batch
        self.query_timeout = _query_timeout() if query_timeout is None else query_timeout
        self.user = os.environ.get("NEO4J_USERNAME") or "neo4j"
        password = os.environ.get("NEO4J_PASSWORD")
        self._password_set = bool(password)
        try:
            self._driver = neo4j.GraphDatabase.driver(
                uri, auth=(self.user, password or ""), connection_timeout=CONNECT_TIMEOUT,
                connection_acquisition_timeout=ACQUIRE_TIMEOUT, max_transaction_retry_time=5.0,
                notifications_min_severity="OFF")
        except (ConfigurationError, ValueError) as e:
            raise InputError(f"bad Neo4j URI {uri!r}: {_first_line(e)}") from None
        self._checked = False
        self._schema_ready = False
        self._pinned = None     # the states consistently() holds reads to

    @property
    def where(self) -> str:
        return f"{self.uri} (database {self.database})" if self.database else self.uri

    def close(self) -> None:
        self._driver.close()

    def _session(self, write: bool):
        self._check()
        mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
        return self._driver.session(database=self.database, default_access_mode=mode)

    def _check(self) -> None:
        """Reach the server and the database once, so each way of failing is said at once."""
        if self._checked:
            return
        try:
            self._driver.verify_connectivity()
            with self._driver.session(database=self.database) as session:
                session.run("RETURN 1").consume()
        except AuthError:
            raise StoreUnavailable(self._refused()) from None
        except ClientError as e:
            raise StoreUnavailable(self._client_error(e)) from None
        except (ServiceUnavailable, SessionExpired, OSError) as e:
            raise StoreUnavailable(f"cannot reach Neo4j at {self.uri}: {_reason(e)}") from None
        except (Neo4jError, DriverError) as e:
            raise StoreUnavailable(f"Neo4j at {self.where}: {_first_line(e)}") from None
        self._checked = True

    def _refused(self) -> str:
        unset = "" if self._password_set else "; NEO4J_PASSWORD is not set"
        return (f"Neo4j at {self.uri} refused the credentials of user {self.user!r}{unset}: "
                "check NEO4J_USERNAME and NEO4J_PASSWORD")

    def _client_error(self, e: ClientError) -> str:
        code = e.code or ""
        if code.endswith("AuthenticationRateLimit"):
            return (f"Neo4j at {self.uri} refused the credentials of user {self.user!r} after "
                    "too many failed attempts: check NEO4J_USERNAME and NEO4J_PASSWORD, "
                    "then wait a few seconds")
        if code.endswith("DatabaseNotFound"):
            return (f"Neo4j at {self.uri} has no database {self.database!r} "
                    f"(--database; it has: {', '.join(self._database_names()) or 'none'})")
        return f"Neo4j at {self.where}: {_first_line(e)}"

    def _database_names(self) -> list[str]:
        try:
            with self._driver.session(database="system") as session:
                return sorted(n for n in session.run("SHOW DATABASES YIELD name").value()
                              if n != "system")
        except (Neo4jError, DriverError):
            return []

    # -- writing -----------------------------------------------------------------------------

    def lock_for_writing(self) -> None:
        """Make sure of the server, the database and the schema before a long parse.

        Loads of one repository are serialised in replace_repository (the Load node's
        lock), not here: a second load parses while the first writes, then waits.
        """
        self._ensure_schema()

    def _ensure_schema(self) -> None:
        """Uniqueness constraints on id and indexes on repo/name/qualname, before any write."""
        if self._schema_ready:
            return
        wanted = {f"kg_{label}_id": f"CREATE CONSTRAINT kg_{label}_id IF NOT EXISTS "
                  f"FOR (n:{label}) REQUIRE n.id IS UNIQUE" for label in NODES}
        for label, props in NODES.items():
            for prop in INDEXED:
                if prop in props or prop == "repo":
                    wanted[f"kg_{label}_{prop}"] = (f"CREATE INDEX kg_{label}_{prop} IF NOT "
                                                    f"EXISTS FOR (n:{label}) ON (n.{prop})")
        wanted["kg_load_state_repo"] = (f"CREATE CONSTRAINT kg_load_state_repo IF NOT EXISTS "
                                        f"FOR (s:`{STATE_LABEL}`) REQUIRE s.repo IS UNIQUE")
        with self._session(write=True) as session:
            try:
                existing = set(session.run("SHOW INDEXES YIELD name").value())
                for name, statement in wanted.items():
                    if name not in existing:
                        session.run(statement).consume()
            except Neo4jError as e:
                raise QueryError(f"creating kg's constraints and indexes in {self.where} "
                                 f"failed: {_first_line(e)}") from None
        self._schema_ready = True

    def replace_repository(self, repo: str, facts: Facts, load: dict,
                           changes: Changes | None = None) -> None:
        self._ensure_schema()
        with self._session(write=True) as session:
            try:
                tx = session.begin_transaction(metadata={"app": "kg", "load": repo})
                with tx:
                    if changes is not None and _holds(tx, load, changes.base):
                        self._write_changes(tx, changes, load)
                    else:
                        self._write_generation(tx, repo, facts, load)
                    with self._switching(repo):
                        tx.commit()
            except Neo4jError as e:
                if "MemoryLimitExceeded" in (e.code or "") or "dbms.memory" in str(e):
                    raise StoreUnavailable(
                        f"Neo4j at {self.where} has too little transaction memory for this "
                        f"load (nothing was changed): a load is one transaction holding the "
                        f"repository's old and new graph; raise the server's heap or "
                        f"dbms.memory.transaction.total.max ({_first_line(e)})") from None
                raise QueryError(f"writing the graph to {self.where} failed (nothing was "
                                 f"changed): {_first_line(e)}") from None
            except (ServiceUnavailable, SessionExpired) as e:
                raise StoreUnavailable(f"lost Neo4j at {self.uri} during the load (nothing "
                                       f"was changed): {_reason(e)}") from None
        self._replan()

    def _replan(self) -> None:
        """Resample the indexes the load made outdated and drop cached plans, so the next
        queries are planned for the new graph. With the statistics of the graph before the
        load, the planner ran `dead-symbol` on docutils and sphinx by seeking every Class of
        the repository for each function: 41-74 s instead of under a second
        (benchmarks/README.md, Audit). A failure here costs speed only: the load stands."""
        try:
            with self._session(write=False) as session:
                session.run("CALL db.prepareForReplanning($seconds)",
                            seconds=REPLAN_TIMEOUT).consume()
        except (Neo4jError, DriverError):
            pass

    def _write_generation(self, tx, repo: str, facts: Facts, load: dict) -> None:
        # The Load node first: its lock is the repository's, held until commit.
        tx.run("MERGE (l:Load {id: $id}) SET l.repo = $repo",
               id=load["id"], repo=repo).consume()
        for label in NODES:
            if label != "Load":
                tx.run(f"MATCH (n:{label} {{repo: $repo}}) DETACH DELETE n",
                       repo=repo).consume()
        # Each new node's element id, so relationships find their ends by id seek, not by
        # an index lookup that must also step over the deleted generation's equal ids.
        element: dict[str, str] = {}
        for label, rows in facts.nodes.items():
            cypher = (f"UNWIND $rows AS row CREATE (n:{label}) SET n = row "
                      "RETURN n.id AS id, elementId(n) AS element")
            for chunk in _chunks([_clean(rows[k]) for k in sorted(rows)], self.batch):
                element.update(_write_batch(tx, cypher, chunk))
        dangling = [e for e in facts.edges if e.src not in element or e.dst not in element]
        if dangling:
            raise QueryError(f"{len(dangling)} relationships end at nodes this load does not "
                             f"hold, e.g. {dangling[0].type} {dangling[0].src} -> "
                             f"{dangling[0].dst}")
        by_type: dict[str, list] = {}
        for (type, _, _), edges in facts.edge_groups().items():
            by_type.setdefault(type, []).extend(edges)
        for type, edges in by_type.items():
            with_props = any(e.props for e in edges)
            cypher = ("UNWIND $rows AS row MATCH (a) WHERE elementId(a) = row.src "
                      f"MATCH (b) WHERE elementId(b) = row.dst CREATE (a)-[r:{type}]->(b)"
                      + (" SET r = row.props" if with_props else ""))
            rows = [{"src": element[e.src], "dst": element[e.dst],
                     "props": _clean(dict(e.props))} if with_props
                    else {"src": element[e.src], "dst": element[e.dst]} for e in edges]
            for chunk in _chunks(rows, self.batch):
                _write_batch(tx, cypher, chunk)
        _finish_load_node(tx, load)

    def _write_changes(self, tx, changes: Changes, load: dict) -> None:
        """The repository's graph in the store made the new one, in the order Changes says;
        every node is found by its id (the uniqueness constraint's index)."""
        for (type, src, dst), links in changes.unlinked_groups().items():
            cypher = (f"UNWIND $rows AS row MATCH (a:{src} {{id: row.src}})-[r:{type}]->"
                      f"(b:{dst} {{id: row.dst}}) DELETE r")
            for chunk in _chunks([{"src": link[2], "dst": link[4]} for link in links],
                                 self.batch):
                _write_batch(tx, cypher, chunk)
        for label, ids in changes.removed.items():
            cypher = f"UNWIND $rows AS id MATCH (n:{label} {{id: id}}) DETACH DELETE n"
            for chunk in _chunks(ids, self.batch):
                _write_batch(tx, cypher, chunk)
        for label, rows in changes.changed.items():
            cypher = f"UNWIND $rows AS row MATCH (n:{label} {{id: row.id}}) SET n = row"
            for chunk in _chunks([_clean(row) for row in rows], self.batch):
                _write_batch(tx, cypher, chunk)
        for label, rows in changes.added.items():
            cypher = f"UNWIND $rows AS row CREATE (n:{label}) SET n = row"
            for chunk in _chunks([_clean(row) for row in rows], self.batch):
                _write_batch(tx, cypher, chunk)
        for (type, src, dst), edges in changes.edge_groups().items():
            with_props = any(e.props for e in edges)
            cypher = (f"UNWIND $rows AS row MATCH (a:{src} {{id: row.src}}) "
                      f"MATCH (b:{dst} {{id: row.dst}}) CREATE (a)-[r:{type}]->(b)"
                      + (" SET r = row.props" if with_props else ""))
            rows = [{"src": e.src, "dst": e.dst, "props": _clean(dict(e.props))} for e in edges]
            for chunk in _chunks(rows, self.batch):
                _write_batch(tx, cypher, chunk)
        _finish_load_node(tx, load)

    @contextmanager
    def _switching(self, repo: str):
        """Announce the commit that runs inside this block on the repository's state node
        (A before, C after, a heartbeat meanwhile), so readers wait it out (see query()).

        C runs when the commit succeeded or the server refused it; if the connection was lost
        the outcome is the server's, and the flag is left to go stale."""
        token = uuid.uuid4().hex
        with self._session(write=True) as session:
            session.execute_write(_run, SWITCH_ON, repo=repo, token=token)
            stop = threading.Event()
            beat = threading.Thread(target=self._beat, args=(repo, token, stop), daemon=True)
            beat.start()
            try:
                yield
            except Neo4jError:
                self._switch_off(session, repo, token, stop, beat)
                raise
            else:
                self._switch_off(session, repo, token, stop, beat)
            finally:
                stop.set()

    def _beat(self, repo: str, token: str, stop: threading.Event) -> None:
        try:
            with self._session(write=True) as session:
                while not stop.wait(SWITCH_BEAT):
                    session.execute_write(_run, SWITCH_BEAT_CYPHER, repo=repo, token=token)
        except (Neo4jError, DriverError):
            pass    # no heartbeat: the flag goes stale, as for a dead writer

    def _switch_off(self, session, repo: str, token: str, stop: threading.Event,
                    beat: threading.Thread) -> None:
        stop.set()
        beat.join()
        try:
            session.execute_write(_run, SWITCH_OFF, repo=repo, token=token)
        except (Neo4jError, DriverError):
            pass    # the commit's outcome stands; the flag goes stale within SWITCH_STALE s

    # -- reading -----------------------------------------------------------------------------

    def query(self, cypher: str, params: dict | None = None, write: bool = False) -> QueryResult:
        """Run Cypher. A read sees one generation of each repository: it runs between two
        reads of the repositories' switch-over states and is run again unless both are equal
        and neither shows a load switching over (see the module docstring)."""
        @neo4j.unit_of_work(timeout=self.query_timeout or None)
        def work(tx):
            result = tx.run(cypher, params or {})
            columns = list(result.keys())
            return columns, [[_value(v) for v in record.values()] for record in result]

        @neo4j.unit_of_work(timeout=self.query_timeout or None)
        def read(tx):
            before = _states(tx)
            if any(switching for _, _, switching in before):
                return None
            columns, rows = work(tx)
            return (columns, rows, before) if _states(tx) == before else None

        @neo4j.unit_of_work(timeout=self.query_timeout or None)
        def write_marked(tx):
            tx.run(RETIRE_LOADS).consume()
            result = tx.run(cypher, params or {})
            columns = list(result.keys())
            rows = [[_value(v) for v in record.values()] for record in result]
            if not result.consume().counters.contains_updates:
                raise Unchanged(columns, rows)      # rolled back: the mark goes with it
            return columns, rows

        with self._session(write=write) as session:
            try:
                if write:
                    columns, rows = self._write(session, write_marked, work)
                else:
                    columns, rows = self._read_between_switches(session, read)
            except ClientError as e:
                raise QueryError(self._query_error(e, write)) from None
            except Neo4jError as e:
                raise QueryError(_first_line(e)) from None
            except (ServiceUnavailable, SessionExpired) as e:
                raise StoreUnavailable(f"lost Neo4j at {self.uri}: {_reason(e)}") from None
        return QueryResult(columns, rows)

    @staticmethod
    def _write(session, write_marked, work) -> tuple[list, list]:
        """A write query, in one transaction with the mark on every Load node that tells the
        next incremental load the graph is no longer the one it wrote (the mark comes first:
        a load holds its Load node's lock from its start, so the write waits for it rather
        than deadlock with it). A query that changed nothing is rolled back with its mark;
        a schema command, which Neo4j runs only in a transaction of its own, runs alone."""
        try:
            return session.execute_write(write_marked)
        except Unchanged as nothing:
            return nothing.columns, nothing.rows
        except ClientError as e:
            if not (e.code or "").endswith("ForbiddenDueToTransactionType"):
                raise
        return session.execute_write(work)

    def _read_between_switches(self, session, read) -> tuple[list, list]:
        deadline = time.monotonic() + SWITCH_WAIT
        while True:
            answer = session.execute_read(read)
            if answer is not None:
                columns, rows, states = answer
                if self._pinned is UNPINNED:
                    self._pinned = states
                elif self._pinned is not None and states != self._pinned:
                    raise GenerationChanged("a load switched the graph over while it was "
                                            "being read")
                return columns, rows
            if time.monotonic() > deadline:
                raise QueryError(f"loads kept switching the graph over for {SWITCH_WAIT:g} s "
                                 "while the query waited to read one whole generation; run "
                                 "it again")
            time.sleep(READ_RETRY)

    def consistently(self, read):
        """read() on one generation: its first query pins the repositories' switch-over
        states, a later query that finds them changed stops it, and it runs again."""
        if self._pinned is not None:
            return read()
        try:
            for _ in range(CONSISTENT_ATTEMPTS):
                self._pinned = UNPINNED
                try:
                    return read()
                except GenerationChanged:
                    continue
        finally:
            self._pinned = None
        raise QueryError(f"loads switched the graph over {CONSISTENT_ATTEMPTS} times while "
                         "kg read it; run the command again")

    def _query_error(self, e: ClientError, write: bool) -> str:
        message = _first_line(e)
        if "TransactionTimedOut" in (e.code or ""):
            return (f"the query ran longer than {self.query_timeout:g} s and was stopped "
                    "(KG_NEO4J_QUERY_TIMEOUT sets the limit in seconds; 0 for none)")
        if not write and "write" in message.lower() and "read" in message.lower():
            return "this query writes to the graph; pass --write to allow it"
        return message


class Unchanged(Exception):
    """A write query that changed nothing, with its rows (its transaction is rolled back)."""

    def __init__(self, columns: list, rows: list):
        super().__init__("the query changed nothing")
        self.columns, self.rows = columns, rows


class GenerationChanged(QueryError):
    """A read inside consistently() met a newer generation than its first read."""


def _states(tx) -> list:
    """Every repository's (repo, switches, switching now), switching flags gone stale as off."""
    return tx.run(STATES, stale_ms=int(SWITCH_STALE * 1000)).values()


def _holds(tx, load: dict, base: dict) -> bool:
    """Whether the store holds the graph the load whose Load node is base wrote, read under
    the Load node's write lock (the MERGE takes it, as the whole write does first), so no
    other load can come between: the Load node is base, no `kg query --write` changed the
    graph since, and the counts no Load node accounts for are as that load left them."""
    tx.run("MERGE (l:Load {id: $id}) SET l.repo = $repo",
           id=load["id"], repo=load["repo"]).consume()
    found = tx.run(f"MATCH (l:Load {{id: $id}}) RETURN l, l.{WRITTEN}, l.{UNACCOUNTED}",
                   id=load["id"]).values()
    if len(found) != 1:
        return False
    node, written, unaccounted = found[0]
    return _value(node) == base and written is None and unaccounted is not None \
        and unaccounted == _unaccounted(tx)


def _finish_load_node(tx, load: dict) -> None:
    """The Load node as the load describes it (which drops WRITTEN), then what the database
    holds beyond the repositories' own counts, this load's new graph included."""
    tx.run("MATCH (l:Load {id: $id}) SET l = $props",
           id=load["id"], props=_clean(load)).consume()
    tx.run(f"MATCH (l:Load {{id: $id}}) SET l.{UNACCOUNTED} = $unaccounted",
           id=load["id"], unaccounted=_unaccounted(tx)).consume()


def _unaccounted(tx) -> str | None:
    """Per kg label and relationship type, the database's count (from the count store, no
    scan) less the sum of what every repository's Load node says it holds, where they
    differ: a client that creates or deletes nodes or relationships changes it."""
    said: dict[str, int] = {}
    for counts in tx.run("MATCH (l:Load) RETURN l.counts").value():
        try:
            for kind, n in json.loads(counts or "{}").items():
                said[kind] = said.get(kind, 0) + int(n)
        except (ValueError, TypeError, AttributeError):
            return None         # recorded as absent: no later load finds it equal
    found = dict(tx.run(COUNTED).values())
    return json.dumps({kind: n - said.get(kind, 0) for kind, n in sorted(found.items())
                       if n != said.get(kind, 0)}, sort_keys=True)


def _run(tx, cypher: str, **params) -> None:
    tx.run(cypher, params).consume()


def _write_batch(tx, cypher: str, rows: list[dict]) -> list:
    """One UNWIND statement of a load, and what it returns (a seam: the kill tests stop the
    process here)."""
    return [tuple(record) for record in tx.run(cypher, rows=rows)]


def safe_uri(uri: str) -> str:
    """The URI without a user:password@ part, fit for a message."""
    return _USERINFO.sub(r"\1", uri)


def _query_timeout() -> float:
    text = os.environ.get("KG_NEO4J_QUERY_TIMEOUT", "").strip()
    if not text:
        return QUERY_TIMEOUT
    try:
        return max(0.0, float(text))
    except ValueError:
        raise InputError(f"KG_NEO4J_QUERY_TIMEOUT={text!r} is not a number of seconds") from None


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


def _reason(e: Exception) -> str:
    """Why a connection failed, in a few words (the driver's text spans several lines)."""
    text = str(e)
    errno = re.search(r"\[Errno -?\d+\] ([^)\n]+)", text)
    if errno:
        return errno.group(1).strip()
    if "handshake" in text or "Deadline" in text or "timed out" in text.lower():
        return f"no answer within {ACQUIRE_TIMEOUT:g} s"
    if "routing information" in text:
        return "no routing information (is anything listening there?)"
    return str(e).strip().splitlines()[-1][:300] if str(e).strip() else _first_line(e)


def _first_line(e: Exception) -> str:
    message = getattr(e, "message", None) or str(e) or type(e).__name__
    return message.strip().splitlines()[0][:300]
