"""`kg export callgraph`: the call graph for other tools (PyCG's JSON format, kg's JSON, dot)."""

from __future__ import annotations

from pathlib import Path

import click

from kg import api
from kg.cli.errors import reported
from kg.cli.options import store_options


@click.group()
def export():
    """Export what the graph knows in other tools' formats."""


@export.command()
@click.argument("source", required=False,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(api.CALLGRAPH_FORMATS), default="pycg",
              show_default=True,
              help="pycg: {caller: [callees]} in PyCG's naming, as the call-graph benchmarks "
                   "score it; json: kg's own detail (every candidate, how it was resolved, "
                   "confidence, line); dot: Graphviz.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Leave out candidates below this confidence.")
@click.option("--repo", default=None, help="The repository to export when the store holds "
              "several.")
@store_options
@reported
def callgraph(source, fmt, output, min_confidence, repo, store, database):
    """Every resolved call: who calls what. Of SOURCE, a source tree analysed in memory (no
    store read or written, as PyCG does), or else of a repository loaded in the store."""
    text = api.export_callgraph(store=store, repo=repo, fmt=fmt, min_confidence=min_confidence,
                                database=database, source=source)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
