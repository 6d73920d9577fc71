"""The Neo4j store at the command line: credentials, reachability, --database, the driver extra.

Each failure says which it is, exits 3 (2 for a missing driver) within 5 s, and never shows
the password: it is searched for in stdout, stderr, exception text and the graph.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from harness import write_package
from kg.errors import InputError, StoreUnavailable
from kg.queries import open_store

pytestmark = pytest.mark.neo4j

APP = {"app/__init__.py": "", "app/a.py": "def f():\n    return 1\n"}
SECRET = "s3cret-kg-Pa55word"
# fails fast: well under the driver's defaults (30 s to connect, 30 s of retries), with room
# for a loaded CI machine's interpreter start (5 s was once missed at 5.2 s)
LIMIT_SECONDS = 15.0


def kg(*args: str, env: dict | None = None, timeout: float = 120) -> tuple[subprocess.CompletedProcess, float]:
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True,
                         env={**os.environ, **(env or {})}, timeout=timeout)
    return run, time.perf_counter() - started


def graph_text(uri: str) -> str:
    """Every property of every node and relationship, as text to search."""
    with open_store(uri) as store:
        nodes = store.query("MATCH (n) RETURN n").rows
        edges = store.query("MATCH ()-[r]->() RETURN r").rows
    return repr(nodes) + repr(edges)


@pytest.fixture
def uri(neo4j_test_uri):
    return neo4j_test_uri


@pytest.fixture
def silent_server():
    """A port that accepts connections and never answers: a hung or firewalled server."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_a_load_and_a_query_through_the_cli(uri, tmp_path):
    app = write_package(tmp_path / "app", APP)
    run, _ = kg("load", str(app), "--store", uri, "-q")
    assert run.returncode == 0, run.stderr
    assert f"into {uri}" in run.stdout
    run, _ = kg("query", "MATCH (f:Function) RETURN f.qualname", "--store", uri,
                "--format", "json")
    assert run.returncode == 0, run.stderr
    assert '"app.a.f"' in run.stdout


def test_a_wrong_password_exits_3_saying_the_credentials_were_refused(uri, tmp_path):
    app = write_package(tmp_path / "app", APP)
    assert kg("load", str(app), "--store", uri, "-q")[0].returncode == 0
    run, seconds = kg("load", str(app), "--store", uri, "-q",
                      env={"NEO4J_PASSWORD": SECRET})
    assert run.returncode == 3, run.stderr
    assert "refused the credentials" in run.stderr
    assert "'neo4j'" in run.stderr
    assert seconds < LIMIT_SECONDS, f"took {seconds:.1f} s"
    assert SECRET not in run.stdout + run.stderr
    assert SECRET not in graph_text(uri)


def test_the_password_is_in_no_output_exception_or_graph(uri, tmp_path, monkeypatch):
    """The right password, used for a load, a query, info and a failing query."""
    password = os.environ["NEO4J_PASSWORD"]
    app = write_package(tmp_path / "app", APP)
    runs = [kg("load", str(app), "--store", uri, "-q")[0],
            kg("info", "--store", uri, "--format", "json")[0],
            kg("query", "MATCH (n) RETURN n", "--store", uri, "--format", "json")[0],
            kg("query", "MATC (n) RETURN n", "--store", uri)[0]]
    assert [r.returncode for r in runs] == [0, 0, 0, 2]
    for run in runs:
        assert password not in run.stdout + run.stderr
    assert password not in graph_text(uri)
    monkeypatch.setenv("NEO4J_PASSWORD", SECRET)
    with pytest.raises(StoreUnavailable) as refused, open_store(uri) as store:
        store.query("RETURN 1")
    assert SECRET not in str(refused.value) + repr(refused.value.__cause__)


def test_a_unset_password_is_named_as_the_likely_cause(uri, monkeypatch):
    monkeypatch.delenv("NEO4J_PASSWORD")
    monkeypatch.setenv("NEO4J_USERNAME", "kg-no-such-user")   # no lockout of the real user
    with pytest.raises(StoreUnavailable, match="NEO4J_PASSWORD is not set"), \
            open_store(uri) as store:
        store.query("RETURN 1")


def test_credentials_in_the_uri_are_refused_and_not_echoed(uri):
    host = uri.split("://", 1)[1]
    run, _ = kg("info", "--store", f"bolt://neo4j:{SECRET}@{host}")
    assert run.returncode == 2
    assert "NEO4J_USERNAME and NEO4J_PASSWORD" in run.stderr
    assert SECRET not in run.stdout + run.stderr


@pytest.mark.parametrize("scheme", ["bolt", "neo4j"])
def test_a_refused_port_exits_3_saying_it_cannot_reach(scheme):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]       # closed again: nothing listens there
    run, seconds = kg("info", "--store", f"{scheme}://127.0.0.1:{port}")
    assert run.returncode == 3, run.stderr
    assert f"cannot reach Neo4j at {scheme}://127.0.0.1:{port}" in run.stderr
    assert seconds < LIMIT_SECONDS, f"took {seconds:.1f} s"
    assert "Unable to retrieve routing information" not in run.stderr   # driver's log lines


@pytest.mark.parametrize("scheme", ["bolt", "neo4j"])
def test_a_silent_server_exits_3_within_5_seconds(scheme, silent_server):
    run, seconds = kg("query", "MATCH (n) RETURN n", "--store",
                      f"{scheme}://127.0.0.1:{silent_server}")
    assert run.returncode == 3, run.stderr
    assert "cannot reach Neo4j" in run.stderr
    assert seconds < LIMIT_SECONDS, f"took {seconds:.1f} s"


def test_database_names_the_database(uri, tmp_path):
    """Community edition has one user database, `neo4j`: --database neo4j is the default one."""
    app = write_package(tmp_path / "app", APP)
    run, _ = kg("load", str(app), "--store", uri, "--database", "neo4j", "-q")
    assert run.returncode == 0, run.stderr
    run, _ = kg("query", "MATCH (f:Function) RETURN f.qualname", "--store", uri,
                "--database", "neo4j")
    assert "app.a.f" in run.stdout
    run, _ = kg("query", "MATCH (f:Function) RETURN f.qualname", "--store", uri,
                env={"KG_NEO4J_DATABASE": "neo4j"})
    assert "app.a.f" in run.stdout


def test_a_missing_database_exits_3_naming_the_ones_there(uri, tmp_path):
    app = write_package(tmp_path / "app", APP)
    run, seconds = kg("load", str(app), "--store", uri, "--database", "nosuch", "-q")
    assert run.returncode == 3, run.stderr
    assert "has no database 'nosuch'" in run.stderr
    assert "it has: neo4j" in run.stderr
    assert seconds < LIMIT_SECONDS
    assert graph_text(uri) == "[][]"


def test_a_query_over_its_time_limit_is_stopped(uri, tmp_path):
    app = write_package(tmp_path / "app", APP)
    assert kg("load", str(app), "--store", uri, "-q")[0].returncode == 0
    run, seconds = kg("query", "UNWIND range(1, 1000000000) AS x RETURN count(x)",
                      "--store", uri, env={"KG_NEO4J_QUERY_TIMEOUT": "1"})
    assert run.returncode == 2, run.stderr
    assert "ran longer than 1 s" in run.stderr
    assert seconds < 30


def test_a_bad_query_timeout_is_an_input_error(uri, monkeypatch):
    monkeypatch.setenv("KG_NEO4J_QUERY_TIMEOUT", "soon")
    with pytest.raises(InputError, match="KG_NEO4J_QUERY_TIMEOUT"):
        open_store(uri)


# Run kg with the `neo4j` package made unimportable, as on an install without the extra.
WITHOUT_DRIVER = """
import sys
class NoNeo4j:
    def find_spec(self, name, path=None, target=None):
        if name == "neo4j" or name.startswith("neo4j."):
            raise ImportError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, NoNeo4j())
from kg.cli.main import main
sys.argv = ["kg", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("scheme", ["bolt", "neo4j", "neo4j+s"])
def test_without_the_driver_a_neo4j_uri_says_how_to_install_it(scheme, tmp_path):
    run = subprocess.run([sys.executable, "-c", WITHOUT_DRIVER, "info", "--store",
                          f"{scheme}://127.0.0.1:7687"], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 2, run.stderr
    assert "pip install 'kg-audit[neo4j]'" in run.stderr
    assert "Traceback" not in run.stderr
    embedded = subprocess.run([sys.executable, "-c", WITHOUT_DRIVER, "info", "--store",
                               str(tmp_path / "store")], capture_output=True, text=True,
                              timeout=60)
    assert embedded.returncode == 3 and "kg load" in embedded.stderr   # the rest still works


def test_the_adapter_is_the_only_importer_of_the_driver():
    root = Path(__file__).parents[1] / "src" / "kg"
    importers = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                       if "import neo4j" in p.read_text() or "from neo4j" in p.read_text())
    assert importers == ["queries/neo4j_store.py"]


SWITCH_STATE = "MATCH (s:`_KgLoadState` {repo: 'app'}) RETURN s.switching, s.switches"
SET_SWITCHING = ("MATCH (s:`_KgLoadState` {repo: 'app'}) SET s.switching = true, "
                 "s.beat = timestamp() - $age_ms")
FUNCTIONS = "MATCH (f:Function) RETURN f.qualname"


def test_a_reader_waits_out_a_switch_over_and_reads_past_a_dead_loads_flag(uri, tmp_path):
    """A live switching flag (fresh heartbeat) holds readers back until it is cleared; one
    left by a killed load (no heartbeat for SWITCH_STALE s) does not; the next load resets it."""
    from kg.queries import neo4j_store
    app = write_package(tmp_path / "app", APP)
    assert kg("load", str(app), "--store", uri, "--repo", "app", "-q")[0].returncode == 0
    with open_store(uri) as writer, open_store(uri) as reader:
        assert writer.query(SWITCH_STATE).rows == [[False, 1]]
        writer.query(SET_SWITCHING, {"age_ms": 0}, write=True)
        answer = {}
        waiting = threading.Thread(target=lambda: answer.update(rows=reader.query(FUNCTIONS).rows))
        waiting.start()
        waiting.join(1.5)
        assert waiting.is_alive(), "the reader did not wait for the switch-over"
        writer.query("MATCH (s:`_KgLoadState`) SET s.switching = false", write=True)
        waiting.join(10)
        assert answer == {"rows": [["app.a.f"]]}

        stale_ms = int(neo4j_store.SWITCH_STALE * 1000) + 1000
        writer.query(SET_SWITCHING, {"age_ms": stale_ms}, write=True)
        started = time.perf_counter()
        assert reader.query(FUNCTIONS).rows == [["app.a.f"]]
        assert time.perf_counter() - started < 1.0
    assert kg("load", str(app), "--store", uri, "--repo", "app", "-q")[0].returncode == 0
    with open_store(uri) as store:
        assert store.query(SWITCH_STATE).rows == [[False, 2]]


def test_the_switch_over_state_is_outside_the_graph_kg_queries(uri, tmp_path):
    """The bookkeeping node is in no kg label's results: Load, counts by label, `kg info`."""
    app = write_package(tmp_path / "app", APP)
    assert kg("load", str(app), "--store", uri, "--repo", "app", "-q")[0].returncode == 0
    with open_store(uri) as store:
        assert [load["repo"] for load in store.loads()] == ["app"]
        assert store.query("MATCH (s:`_KgLoadState`) RETURN s.repo").rows == [["app"]]
        assert store.query("MATCH (n:Load) RETURN count(n)").rows == [[1]]
        labels = store.query("CALL db.labels() YIELD label RETURN label ORDER BY label").rows
        assert ["_KgLoadState"] in labels
