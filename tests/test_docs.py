"""The docs cannot drift: generated references are current, and every example query runs."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click
import pytest

from conftest import STORES, fresh_store
from kg import api
from kg.cli.main import cli
from kg.model.schema import COMMON, NODES, RELATIONSHIPS

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import gen_docs  # noqa: E402
import schema_docs  # noqa: E402

DOCS_APP = ROOT / "tests" / "fixtures" / "docs_app"


def test_cli_reference_is_current():
    assert (ROOT / "docs" / "cli.md").read_text() == gen_docs.cli_markdown(), \
        "docs/cli.md is stale: run python scripts/gen_docs.py"


def test_schema_reference_is_current():
    assert (ROOT / "docs" / "schema.md").read_text() == gen_docs.schema_markdown(), \
        "docs/schema.md is stale: run python scripts/gen_docs.py"


def test_rules_reference_is_current():
    assert (ROOT / "docs" / "rules.md").read_text() == gen_docs.rules_markdown(), \
        "docs/rules.md is stale: run python scripts/gen_docs.py"


def test_every_command_and_option_has_help():
    for path, command in gen_docs.commands(cli, ["kg"]):
        assert command.help, f"{' '.join(path)} has no help text"
        for param in command.params:
            if isinstance(param, click.Option) and param.name not in ("help", "version"):
                assert param.help, f"{' '.join(path)} {param.opts[0]} has no help text"


def test_every_label_property_and_relationship_is_described():
    assert set(schema_docs.LABELS) == set(NODES)
    assert set(schema_docs.PROPERTIES["*"]) == set(COMMON)
    for label, props in NODES.items():
        assert set(schema_docs.PROPERTIES[label]) == set(props), label
    assert set(schema_docs.RELATIONSHIP_DOCS) == set(RELATIONSHIPS)
    for type, (_, props) in RELATIONSHIPS.items():
        assert set(schema_docs.PROPERTIES.get(type, {})) == set(props), type
    assert set(schema_docs.EXAMPLES) == set(NODES) | set(RELATIONSHIPS)


def example_queries() -> list[tuple[str, str]]:
    text = (ROOT / "docs" / "schema.md").read_text()
    return re.findall(r"### `(\w+)`.*?```cypher\n(.*?)```", text, re.S)


@pytest.fixture(scope="module", params=STORES)
def docs_store(request, tmp_path_factory):
    uri = fresh_store(request.param, tmp_path_factory.mktemp("docs"))
    api.load(DOCS_APP, store=uri, repo="shop")
    return uri


@pytest.mark.parametrize("name", sorted(schema_docs.EXAMPLES))
def test_every_example_query_returns_rows(name, docs_store):
    result = api.query(schema_docs.EXAMPLES[name], store=docs_store)
    assert result.rows, f"the {name} example returns nothing on the docs fixture"


def test_examples_in_the_docs_are_the_checked_ones():
    found = dict(example_queries())
    assert {k: v.strip() for k, v in found.items()} == \
        {k: v.strip() for k, v in schema_docs.EXAMPLES.items()}
