import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from neo4j_server import neo4j_marker_gate, neo4j_test_uri  # noqa: E402, F401  (pytest fixtures)

STORES = ("embedded", "neo4j")


@pytest.fixture(params=STORES)
def store_uri(request, tmp_path):
    """A store URI for each kind of store: every test using it runs on both.

    The Neo4j one is the test server started by scripts/test, emptied before each test.
    Without it the test skips locally and fails under CI=true.
    """
    return fresh_store(request.param, tmp_path)


def fresh_store(kind: str, tmp_path: Path) -> str:
    if kind == "embedded":
        return str(tmp_path / "store")
    from neo4j_server import empty_database, require_neo4j
    uri = require_neo4j()
    empty_database(uri)
    return uri
