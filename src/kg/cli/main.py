"""`kg`: load a Python codebase into a graph, query it, audit it."""

from __future__ import annotations

import gc
import importlib
import sys

import click

from kg import __version__, api
from kg.cli.errors import reported
from kg.cli.options import parse_params, store_options
from kg.cli.output import cell, render


class LazyGroup(click.Group):
    """A group whose subcommands are imported from their modules when one is run (or listed,
    as --help does): every kg process starts without what it does not run, e.g. `kg export
    callgraph` without the audit's rules and report (jsonschema, yaml)."""

    def __init__(self, *args, lazy: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = lazy            # command name -> "module:attribute"

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module, attribute = self.lazy[cmd_name].split(":")
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)


SUBCOMMANDS = {"audit": "kg.cli.audit:audit", "rules": "kg.cli.audit:rules",
               "diagram": "kg.cli.diagram:diagram", "export": "kg.cli.export:export"}


@click.group(cls=LazyGroup, lazy=SUBCOMMANDS,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def cli():
    """kg: a code knowledge graph for auditing Python codebases.

    Load a package with `kg load PATH`, then ask questions in Cypher with `kg query`.
    Exit codes: 0 ok, 1 findings at or over --fail-on, 2 usage or input error,
    3 store unavailable.
    """


@cli.command()
@click.argument("path", type=click.Path(path_type=str))
@click.option("--repo", default=None, help="Name of the repository in the graph "
              "(default: the folder's name; `src` takes its parent's).")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Skip files whose path below PATH matches (repeatable; added to "
              "[tool.kg] exclude).")
@click.option("--full", is_flag=True, help="Extract every module again instead of reusing "
              "the previous load's facts for the modules nothing changed for.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
              help="Processes extracting modules (default: one per core; one for a "
              "project under 5,000 lines).")
@click.option("--inference-budget", type=click.FloatRange(min=0), metavar="STEPS",
              default=None, show_default="[tool.kg] inference_budget, else 1500000",
              help="astroid inference steps per module (a count, the same on any machine; "
              "it was CPU seconds before): a module that takes more is reported and the "
              "rest of it is resolved without inference. 0 infers nothing; 1 to 999 are "
              "refused.")
@click.option("--max-file-size", type=click.FloatRange(min=0), metavar="MB",
              default=None, show_default="[tool.kg] max_file_size, else 5",
              help="Larger files are reported and not read.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--timings", is_flag=True, help="Also print where the time went: each phase's "
              "wall and CPU seconds (parse, extract, project-wide steps, store write...).")
@store_options
@reported
def load(path, repo, exclude, full, jobs, inference_budget, max_file_size, quiet, timings,
         store, database):
    """Parse PATH with astroid (never importing or running it) and store its graph.

    Loading a repository again replaces its subgraph; if the load fails, the
    previous graph stays whole. A load after a previous one of the same
    repository is incremental: only the changed modules and the modules that
    depend on them are extracted again (docs/incremental.md).

    A file that cannot be read, decoded or parsed is reported with its line and
    the rest is loaded (exit 0); when no file can be, nothing is stored (exit 2).
    See docs/bad-input.md.
    """
    with _progress(quiet) as progress:
        summary = api.load(path, store=store, repo=repo, exclude=exclude, progress=progress,
                           database=database, jobs=jobs, full=full,
                           inference_budget=inference_budget, max_file_mb=max_file_size)
    _print_summary(summary)
    if timings:
        _print_timings(summary)


@cli.command()
@click.argument("cypher")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="Query parameter $KEY (JSON values are parsed; repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="table for people; json or csv for programs.")
@click.option("--write", is_flag=True, help="Allow the query to change the graph.")
@store_options
@reported
def query(cypher, params, fmt, write, store, database):
    """Run a Cypher query against the graph (read-only unless --write)."""
    result = api.query(cypher, parse_params(params), store=store, write=write, database=database)
    click.echo(render(result.columns, result.rows, fmt))


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="table for people; json for programs.")
@store_options
@reported
def info(fmt, store, database):
    """What is loaded: each repository, when, from which source and commit, and its counts."""
    loads = api.info(store=store, database=database)
    if fmt == "json":
        for load in loads:
            load.pop("file_hashes", None)
        click.echo(render(["repository"], [[load] for load in loads], "json"))
        return
    if not loads:
        click.echo("the store holds no repository: run `kg load PATH`")
        return
    for load in loads:
        click.echo(f"{load['repo']}: {load['source']}")
        click.echo(f"  loaded   {load['finished']} in {load['seconds']} s by kg "
                   f"{load['kg_version']} (schema v{load['schema_version']})")
        click.echo(f"  commit   {load.get('commit') or '-'}")
        click.echo(f"  files    {load['files']}, parse errors {len(load['parse_errors'] or [])}")
        counts = load.get("counts") or {}
        click.echo("  counts   " + ", ".join(f"{k} {v}" for k, v in counts.items()))


class _progress:
    """A progress bar on stderr over the files being extracted (none when quiet or piped)."""

    def __init__(self, quiet: bool):
        self.enabled = not quiet and sys.stderr.isatty()
        self.bar = None
        self.task = None

    def __enter__(self):
        if not self.enabled:
            return None
        from rich import progress as bar  # imported only when a bar is shown

        self.bar = bar.Progress(bar.TextColumn("{task.description}"), bar.BarColumn(),
                                bar.MofNCompleteColumn(), bar.TimeElapsedColumn(),
                                transient=True, console=None)
        self.bar.start()
        return self.update

    def update(self, phase: str, done: int, total: int) -> None:
        if self.task is None or self.bar.tasks[self.task].description != phase:
            self.task = self.bar.add_task(phase, total=total)
        self.bar.update(self.task, completed=done, total=total)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()


def _print_summary(s: api.LoadSummary) -> None:
    click.echo(f"loaded {s.repo} from {s.source} into {s.store} in {s.seconds:.1f} s "
               f"({s.files} files)")
    mode = "incremental" if s.incremental else "full"
    click.echo(f"  {mode} load: {s.reextracted} modules extracted"
               + (f" by {s.workers} processes" if s.workers > 1 else ""))
    nodes = {k: v for k, v in s.counts.items() if k[:1].isupper() and not k.isupper()}
    edges = {k: v for k, v in s.counts.items() if k.isupper()}
    click.echo("  nodes  " + ", ".join(f"{k} {v}" for k, v in nodes.items()))
    click.echo("  edges  " + ", ".join(f"{k} {v}" for k, v in edges.items()))
    c = s.calls
    click.echo(f"  calls  {c.get('calls_total', 0)} sites: {c.get('calls_inferred', 0)} by "
               f"inference, {c.get('calls_by_name', 0)} by name, "
               f"{c.get('calls_unresolved', 0)} unresolved")
    ratio = s.inferred_ratio
    if ratio is not None:
        click.echo(f"  calls naming a local function or class resolved by inference: "
                   f"{c['local_calls_inferred']}/{c['local_calls']} ({ratio:.1%})")
    if s.parse_errors:
        click.echo(f"  parse errors ({len(s.parse_errors)}):")
        for file, message in sorted(s.parse_errors.items()):
            click.echo(f"    {file}: {cell(message)}")
    if s.budget_exceeded:
        click.echo(f"  inference budget spent ({len(s.budget_exceeded)}):")
        for file, message in sorted(s.budget_exceeded.items()):
            click.echo(f"    {file}: {message}")
    for warning in s.warnings:
        click.echo(f"  warning: {warning}")
    if s.step_errors:
        click.echo(f"  files partly extracted after an internal error ({len(s.step_errors)}):")
        for file, message in sorted(s.step_errors.items()):
            click.echo(f"    {file}: {message}")


def _print_timings(s: api.LoadSummary) -> None:
    """One row a phase in the order they ran; what no phase covers (starting the
    extraction's process, waiting for it) is the rest of the load's wall."""
    width = max(len(p.name) for p in s.timings)
    click.echo(f"  {'phase':<{width}}  {'wall s':>8}  {'CPU s':>8}")
    for p in s.timings:
        click.echo(f"  {p.name:<{width}}  {p.wall:8.2f}  {p.cpu:8.2f}")
    rest = s.seconds - sum(p.wall for p in s.timings)
    click.echo(f"  {'other':<{width}}  {max(rest, 0.0):8.2f}")


def main() -> None:
    """The `kg` console script (and `python -m kg`): the command, then an exit without the
    last collection. Python's finalisation would traverse the whole heap a load leaves
    behind (millions of astroid nodes: seconds on a large project) only for the process to
    end; frozen, it is left to the OS. `cli`, as the tests call it in-process, is unchanged."""
    try:
        cli(prog_name="kg")
    finally:
        gc.freeze()
