"""`kg diagram`: draw what a command runs, the import graph, or a class."""

from __future__ import annotations

from pathlib import Path

import click

from kg import api
from kg.cli.errors import reported
from kg.cli.options import store_options

OUTPUT_HELP = ("Write the diagram to FILE: .dot (DOT text), .svg or .png (drawn by Graphviz's "
               "`dot`; without it the .dot is written and kg exits 2). Default: DOT on "
               "standard output.")
MAX_NODES_HELP = "Node budget: beyond it, functions are merged into modules, then packages."
REPO_HELP = "The repository to draw when the store holds several."


def _output(func):
    return click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                        default=None, metavar="FILE", help=OUTPUT_HELP)(func)


@click.group()
def diagram():
    """Draw diagrams from the graph (DOT, SVG or PNG); DOT text is sorted, so diagrams
    compare as text."""


@diagram.command("path")
@click.option("--from", "entry", required=True, metavar="ENTRY",
              help="Where to start: a command (`lem campaign`), an entry point, a function's "
                   "qualified name, or a module.")
@click.option("--to", default=None, metavar="SYMBOL",
              help="Keep only the paths that reach this function, class, module or I/O "
                   "symbol (`pathlib.Path.write_text`).")
@click.option("--sinks", type=click.Choice(["write", "subprocess", "all"]), default=None,
              help="Keep only the paths that end in a file write, a process started, or any "
                   "I/O.")
@click.option("--depth", type=int, default=None,
              help="At most this many calls (and subprocess hops) from the entry. "
                   "Default: no limit.")
@click.option("--hops/--no-hops", default=True, show_default=True,
              help="Draw subprocess hops into the module or command they run (the totals "
                   "count both ways).")
@click.option("--max-nodes", type=int, default=80, show_default=True, help=MAX_NODES_HELP)
@_output
@click.option("--repo", default=None, help=REPO_HELP)
@store_options
@reported
def path(entry, to, sinks, depth, hops, max_nodes, output, repo, store, database):
    """What ENTRY runs: its functions grouped by module, with their lines, the calls between
    them (with their lines), subprocess hops and file writes.

    Prints the totals: modules, functions and lines on the path, in the entry's own process
    and with subprocess hops. Lines are the functions' physical lines (a nested function's
    are in its container's); with --sinks or --to only the functions on those paths count.
    """
    result = api.diagram_path(entry, to=to, sinks=sinks, depth=depth, hops=hops,
                              max_nodes=max_nodes, output=output, store=store, repo=repo,
                              database=database)
    _finish(result, output)


@diagram.command("imports")
@click.option("--package", default=None, metavar="P",
              help="Only the modules of package P (and P itself).")
@click.option("--collapse", type=int, default=None, metavar="DEPTH",
              help="Merge modules into their first DEPTH dotted parts (1: top-level packages).")
@click.option("--max-nodes", type=int, default=80, show_default=True, help=MAX_NODES_HELP)
@_output
@click.option("--repo", default=None, help=REPO_HELP)
@store_options
@reported
def imports(package, collapse, max_nodes, output, repo, store, database):
    """The module import graph; import cycles in red (imports inside functions or under
    TYPE_CHECKING are dotted and never make a cycle)."""
    result = api.diagram_imports(package=package, collapse=collapse, max_nodes=max_nodes,
                                 output=output, store=store, repo=repo, database=database)
    _finish(result, output)


@diagram.command("class")
@click.argument("qualname")
@_output
@click.option("--repo", default=None, help=REPO_HELP)
@store_options
@reported
def class_(qualname, output, repo, store, database):
    """One class (by dotted qualified name): its fields, set or never set, its methods, bases
    and subclasses."""
    result = api.diagram_class(qualname, output=output, store=store, repo=repo,
                               database=database)
    _finish(result, output)


def _finish(result: api.DiagramResult, output) -> None:
    """DOT to stdout (the summary to stderr), or the file written and the summary."""
    if output is None:
        click.echo(result.dot, nl=False)
        for line in result.lines:
            click.echo(line, err=True)
        return
    for line in result.lines:
        click.echo(line)
    for written in result.written:
        click.echo(f"wrote {written}")
    if result.error is not None:
        raise result.error
