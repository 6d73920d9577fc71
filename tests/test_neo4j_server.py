"""The Neo4j test server and the helper that finds it.

The first half needs no server; the `neo4j` half runs against the one that
docker/neo4j-test-server.sh started (skipped locally without it, failing under CI=true).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import neo4j_server
from neo4j_server import empty_database, neo4j_marker_gate, neo4j_test_uri, neo4j_uri, require_neo4j

__all__ = ["neo4j_marker_gate", "neo4j_test_uri"]  # fixtures, used by name


@pytest.fixture
def no_server(monkeypatch, tmp_path):
    monkeypatch.delenv(neo4j_server.URI_VARIABLE, raising=False)
    monkeypatch.setattr(neo4j_server, "STATE_DIR", tmp_path)
    return tmp_path


def record_server(state_dir, pid, port=7999):
    (state_dir / "pid").write_text(f"{pid}\n")
    (state_dir / "port").write_text(f"{port}\n")


def test_the_environment_names_the_server_first(no_server, monkeypatch):
    monkeypatch.setenv(neo4j_server.URI_VARIABLE, "bolt://db.example:7687")
    record_server(no_server, pid=1)
    assert neo4j_uri() == "bolt://db.example:7687"


def test_a_live_server_process_gives_its_port(no_server):
    script = "import time; print('up', flush=True); time.sleep(60)"
    stand_in = subprocess.Popen(
        [sys.executable, "-c", script, "neo4j-test-server.jar"], stdout=subprocess.PIPE
    )
    try:
        assert stand_in.stdout.readline() == b"up\n"  # exec'd: the cmdline is its own
        record_server(no_server, stand_in.pid, port=7999)
        assert neo4j_uri() == "bolt://127.0.0.1:7999"
    finally:
        stand_in.kill()
        stand_in.wait()


def test_a_server_still_starting_is_no_server(no_server):
    (no_server / "pid").write_text(f"{os.getpid()}\n")  # the port file comes once it is ready
    assert neo4j_uri() is None


def test_a_dead_pid_is_no_server(no_server):
    gone = subprocess.Popen([sys.executable, "-c", "pass", "neo4j-test-server.jar"])
    gone.wait()
    record_server(no_server, gone.pid)
    assert neo4j_uri() is None


def test_a_pid_reused_by_another_process_is_no_server(no_server):
    record_server(no_server, pid=1)
    assert neo4j_uri() is None


@pytest.mark.parametrize("pid_text", ["", "not-a-pid"])
def test_a_damaged_pid_file_is_no_server(no_server, pid_text):
    (no_server / "pid").write_text(pid_text)
    (no_server / "port").write_text("7999")
    assert neo4j_uri() is None


def test_no_server_skips_outside_ci(no_server, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="docker/neo4j-test-server.sh start"):
        require_neo4j()


def test_no_server_fails_under_ci(no_server, monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        require_neo4j()


def test_a_found_server_sets_default_credentials(no_server, monkeypatch):
    monkeypatch.setenv(neo4j_server.URI_VARIABLE, "bolt://127.0.0.1:7999")
    monkeypatch.delenv("NEO4J_USERNAME", raising=False)
    monkeypatch.setenv("NEO4J_PASSWORD", "own-password")
    assert require_neo4j() == "bolt://127.0.0.1:7999"
    assert neo4j_server.auth() == ("neo4j", "own-password")


def driver(uri):
    from neo4j import GraphDatabase

    return GraphDatabase.driver(uri, auth=neo4j_server.auth())


@pytest.mark.neo4j
def test_the_server_is_neo4j_5_26_community(neo4j_test_uri):
    with driver(neo4j_test_uri) as d:
        records, _, _ = d.execute_query("CALL dbms.components() YIELD name, versions, edition")
    [(name, versions, edition)] = [tuple(r.values()) for r in records]
    assert name == "Neo4j Kernel"
    assert versions[0].startswith("5.26.")
    assert edition == "community"


@pytest.mark.neo4j
def test_a_written_node_reads_back(neo4j_test_uri):
    with driver(neo4j_test_uri) as d, d.session() as s:
        s.execute_write(lambda tx: tx.run("CREATE (:Probe {name: 'a', n: 1})").consume())
        rows = s.execute_read(lambda tx: tx.run("MATCH (p:Probe) RETURN p.name, p.n").values())
    assert rows == [["a", 1]]


@pytest.mark.neo4j
def test_a_read_transaction_rejects_writes(neo4j_test_uri):
    from neo4j.exceptions import ClientError

    with driver(neo4j_test_uri) as d, d.session() as s:
        with pytest.raises(ClientError) as raised:
            s.execute_read(lambda tx: tx.run("CREATE (:Probe)").consume())
        assert raised.value.code == "Neo.ClientError.Statement.AccessMode"
        assert s.run("MATCH (p:Probe) RETURN count(p)").single().value() == 0


@pytest.mark.neo4j
def test_wrong_password_is_refused(neo4j_test_uri):
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError

    wrong = GraphDatabase.driver(neo4j_test_uri, auth=("neo4j", "wrong-password"))
    with wrong, pytest.raises(AuthError):
        wrong.verify_connectivity()


@pytest.mark.neo4j
def test_empty_database_drops_data_and_schema_but_keeps_lookup_indexes(neo4j_test_uri):
    with driver(neo4j_test_uri) as d, d.session() as s:
        s.run("CREATE CONSTRAINT probe_id FOR (p:Probe) REQUIRE p.id IS UNIQUE").consume()
        s.run("CREATE INDEX probe_name FOR (p:Probe) ON (p.name)").consume()
        s.run("UNWIND range(1, 50) AS i CREATE (:Probe {id: i})-[:NEXT]->(:Other)").consume()
        empty_database(neo4j_test_uri)
        assert s.run("MATCH (n) RETURN count(n)").single().value() == 0
        assert s.run("SHOW CONSTRAINTS YIELD name").value() == []
        assert sorted(s.run("SHOW INDEXES YIELD type").value()) == ["LOOKUP", "LOOKUP"]
