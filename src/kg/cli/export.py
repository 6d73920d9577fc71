"""`kg export callgraph`: the call graph for other tools (PyCG's JSON format, kg's JSON, dot)."""

from __future__ import annotations

from pathlib import Path

import click

from kg import api
from kg.cli.errors import KgClickError, reported
from kg.cli.options import store_options
from kg.errors import KgError


@click.group()
def export():
    """Export what the graph knows in other tools' formats."""


@export.command()
@click.argument("sources", nargs=-1, metavar="[SOURCE]...",
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(api.CALLGRAPH_FORMATS), default="pycg",
              show_default=True,
              help="pycg: {caller: [callees]} in PyCG's naming, as the call-graph benchmarks "
                   "score it; json: kg's own detail (every candidate, how it was resolved, "
                   "confidence, line); dot: Graphviz.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write to this file instead of standard output. With several SOURCEs, or "
                   "when it is an existing folder: the folder to write NAME.json (NAME.dot) "
                   "in for each SOURCE, NAME being the source folder's name.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Leave out candidates below this confidence.")
@click.option("--repo", default=None, help="The repository to export when the store holds "
              "several (or the name given to a single SOURCE).")
@store_options
@reported
def callgraph(sources, fmt, output, min_confidence, repo, store, database):
    """Every resolved call: who calls what. Of SOURCE, a source tree analysed in memory (no
    store read or written, as PyCG does), or else of a repository loaded in the store.

    Several SOURCEs are analysed one after another in one process (astroid builds its
    builtins and standard-library trees once for all), each graph written to the folder -o
    names, the same as that SOURCE's graph alone. A SOURCE that cannot be exported is
    reported and the others are still written (exit 2)."""
    into_folder = output is not None and output.is_dir()
    if len(sources) > 1 or (into_folder and sources):
        _export_sources(sources, fmt, output, min_confidence, repo)
        return
    if into_folder:
        raise click.UsageError(f"-o {output} is a folder: name the file to write the "
                               "store's call graph to")
    text = api.export_callgraph(store=store, repo=repo, fmt=fmt, min_confidence=min_confidence,
                                database=database, source=sources[0] if sources else None)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


def _export_sources(sources: tuple[Path, ...], fmt: str, folder: Path | None,
                    min_confidence: float, repo: str | None) -> None:
    if repo is not None:
        raise click.UsageError("--repo names a single graph; each of several SOURCEs is "
                               "named after its folder")
    if folder is None:
        raise click.UsageError("several SOURCEs need -o FOLDER to write their call graphs "
                               "in (one NAME.json per SOURCE)")
    if folder.exists() and not folder.is_dir():
        raise click.UsageError(f"-o {folder} is a file: with several SOURCEs, -o names the "
                               "folder to write their call graphs in")
    named = api.callgraph_names(sources)
    folder.mkdir(parents=True, exist_ok=True)
    failed = []
    for name, source in named.items():
        try:
            text = api.export_callgraph(source=source, fmt=fmt, min_confidence=min_confidence)
        except KgError as e:   # one bad tree must not cost the others' graphs
            click.echo(f"kg: error: {e}", err=True)
            failed.append(str(source))
            continue
        (folder / f"{name}{api.CALLGRAPH_SUFFIXES[fmt]}").write_text(text, encoding="utf-8")
    if failed:
        raise KgClickError(f"{len(failed)} of {len(named)} SOURCEs not exported: "
                           + ", ".join(failed), 2)
