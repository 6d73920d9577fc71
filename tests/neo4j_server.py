"""Where the Neo4j 5 test server is, for the tests that need one.

The server runs outside pytest: `docker/neo4j-test-server.sh start` (called by the test
command and by .ci/run) records its pid in .neo4j-test/, and its port once it is ready. A test that needs Neo4j
skips when there is none, except under CI=true, where a missing server is a failure:
CI must never pass by skipping the Neo4j half of the suite.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

URI_VARIABLE = "KG_TEST_NEO4J_URI"
STATE_DIR = Path(os.environ.get("KG_NEO4J_STATE_DIR", Path(__file__).parents[1] / ".neo4j-test"))
TEST_USER = "neo4j"
TEST_PASSWORD = "kg-test-password"
SERVER_JAR = b"neo4j-test-server.jar"
START_HINT = f"start one with `docker/neo4j-test-server.sh start` or set {URI_VARIABLE}"


def neo4j_uri(state_dir: Path | None = None) -> str | None:
    """The Bolt URI of the server to test against: $KG_TEST_NEO4J_URI, else the running test server."""
    return os.environ.get(URI_VARIABLE) or _running_server_uri(state_dir or STATE_DIR)


def _running_server_uri(state_dir: Path) -> str | None:
    try:
        pid = int((state_dir / "pid").read_text())
        port = int((state_dir / "port").read_text())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    # A pid file outlives its server; the pid may since belong to another process.
    return f"bolt://127.0.0.1:{port}" if SERVER_JAR in cmdline else None


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def require_neo4j() -> str:
    """The server's URI, with NEO4J_USERNAME/NEO4J_PASSWORD defaulted to the test server's.

    Skips the calling test when there is no server, fails it under CI=true.
    """
    uri = neo4j_uri()
    if uri is None:
        message = f"no Neo4j test server: {START_HINT}"
        if in_ci():
            pytest.fail(f"{message} (CI=true: Neo4j tests must run, not skip)")
        pytest.skip(message)
    os.environ.setdefault("NEO4J_USERNAME", TEST_USER)
    os.environ.setdefault("NEO4J_PASSWORD", TEST_PASSWORD)
    return uri


def auth() -> tuple[str, str]:
    return (
        os.environ.get("NEO4J_USERNAME", TEST_USER),
        os.environ.get("NEO4J_PASSWORD", TEST_PASSWORD),
    )


def empty_database(uri: str) -> None:
    """Leave the default database as a new one: no nodes, no constraints, no indexes.

    Community edition has a single user database, so tests share it and start from empty.
    """
    from neo4j import GraphDatabase

    with GraphDatabase.driver(uri, auth=auth()) as driver, driver.session() as session:
        session.run("CALL { MATCH (n) DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
        for name in session.run("SHOW CONSTRAINTS YIELD name").value():
            session.run(f"DROP CONSTRAINT `{name}`").consume()
        # The two token lookup indexes come with every new database.
        for name in session.run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'").value():
            session.run(f"DROP INDEX `{name}`").consume()


@pytest.fixture
def neo4j_test_uri() -> str:
    """An empty Neo4j database's URI (skip locally / fail under CI=true without a server)."""
    uri = require_neo4j()
    empty_database(uri)
    return uri


@pytest.fixture(autouse=True)
def neo4j_marker_gate(request: pytest.FixtureRequest) -> None:
    """Tests marked `neo4j` skip (or fail under CI=true) when no server runs."""
    if request.node.get_closest_marker("neo4j") is not None:
        require_neo4j()
