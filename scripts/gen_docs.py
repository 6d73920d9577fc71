"""Generate docs/cli.md (from the click commands) and docs/schema.md (from kg.model.schema).

`python scripts/gen_docs.py` rewrites both; tests/test_docs.py fails when they are stale,
when a command has no help, or when a label, property or relationship has no description.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli.main import cli
from kg.model.schema import COMMON, NODES, RELATIONSHIPS

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from schema_docs import EXAMPLES, LABELS, PROPERTIES, RELATIONSHIP_DOCS  # noqa: E402


def cli_markdown() -> str:
    out = ["# kg command line", "",
           "Generated from the commands' own help by `python scripts/gen_docs.py`; "
           "`tests/test_docs.py` keeps it current.", "",
           "Exit codes: 0 ok, 1 findings at or over `--fail-on`, 2 usage or input error, "
           "3 store unavailable or busy; 141 when what reads kg's output closes it early "
           "(`kg query ... | head`), as a Unix tool killed by SIGPIPE.", ""]
    for path, command in commands(cli, ["kg"]):
        # What the real CLI passes down (-h), at a fixed width, so the text never depends on
        # the terminal or on which commands ran before in the same process.
        ctx = click.Context(command, info_name=" ".join(path), help_option_names=["-h", "--help"],
                            terminal_width=100, max_content_width=100)
        out += [f"## `{' '.join(path)}`", "", "```text", command.get_help(ctx).rstrip(), "```", ""]
    return "\n".join(out)


def commands(group: click.Command, path: list[str]):
    yield path, group
    if isinstance(group, click.Group):   # through click's API: kg's group imports lazily
        ctx = click.Context(group, info_name=path[-1])
        for name in group.list_commands(ctx):
            yield from commands(group.get_command(ctx, name), [*path, name])


def schema_markdown() -> str:
    from kg.model.schema import SCHEMA_VERSION
    out = [f"# The graph (schema v{SCHEMA_VERSION})", "",
           "Generated from `kg.model.schema` by `python scripts/gen_docs.py`; every example "
           "query below is run by `tests/test_docs.py` on a fixture package and must return rows.",
           "",
           "Every node has these properties:", "",
           "| property | type | meaning |", "|---|---|---|"]
    out += [f"| `{p}` | {t} | {PROPERTIES['*'][p]} |" for p, t in COMMON.items()]
    out += ["", "## Nodes", ""]
    for label, props in NODES.items():
        out += [f"### `{label}`", "", LABELS[label], "",
                "| property | type | meaning |", "|---|---|---|"]
        out += [f"| `{p}` | {t} | {PROPERTIES[label][p]} |" for p, t in props.items()]
        out += ["", "```cypher", EXAMPLES[label].strip(), "```", ""]
    out += ["## Relationships", ""]
    for type, (pairs, props) in RELATIONSHIPS.items():
        ends = ", ".join(f"{a} → {b}" for a, b in pairs)
        out += [f"### `{type}`", "", RELATIONSHIP_DOCS[type], "", f"From → to: {ends}.", ""]
        if props:
            out += ["| property | type | meaning |", "|---|---|---|"]
            out += [f"| `{p}` | {t} | {PROPERTIES[type][p]} |" for p, t in props.items()]
            out += [""]
        out += ["```cypher", EXAMPLES[type].strip(), "```", ""]
    return "\n".join(out)


def rules_markdown() -> str:
    from kg.rules.rule import load_rules
    rules = load_rules()
    out = ["# Bundled rules", "",
           "Generated from `src/kg/rules/bundled/*.yaml` by `python scripts/gen_docs.py`. "
           "Each rule's fixture is `tests/rules/<id>/`; `kg rules show ID` prints the same.", "",
           "| rule | kind | severity | title |", "|---|---|---|---|"]
    out += [f"| [`{r.id}`](#{r.id}) | {r.kind} | {r.severity} | {r.title} |" for r in rules]
    sections = (("finds", "What it finds"), ("why", "Why it matters"), ("example", "Example"),
                ("fix", "How to fix"), ("false_positives", "Known false positives"))
    for r in rules:
        out += ["", f"## {r.id}", "", f"**{r.title}** — {r.kind}, severity {r.severity}"
                + (f", tags: {', '.join(r.tags)}" if r.tags else "") + ".", ""]
        for key, heading in sections:
            text = r.docs[key].strip()
            if key == "example":
                text = "```python\n" + text + "\n```"
            out += [f"### {heading}", "", text, ""]
        if r.params:
            out += ["### Parameters", "", "| name | default |", "|---|---|"]
            out += [f"| `{k}` | `{v!r}` |" for k, v in sorted(r.params.items())]
            out += [""]
        out += ["### Query", "", "```cypher", r.query.strip(), "```"]
    return "\n".join(out) + "\n"


def main() -> None:
    (ROOT / "docs" / "cli.md").write_text(cli_markdown())
    (ROOT / "docs" / "schema.md").write_text(schema_markdown())
    (ROOT / "docs" / "rules.md").write_text(rules_markdown())


if __name__ == "__main__":
    main()
