"""A kg process imports what the command it runs needs: `kg export callgraph SOURCE` starts
without the audit's rules and report (jsonschema, yaml), rich or the store drivers, and
the subcommands are still all there for --help and the docs."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from kg.cli.main import cli

PROGRAM = Path(__file__).resolve().parent / "callgraph" / "classes" / "attribute_bound_method"
HEAVY = ("jsonschema", "yaml", "rich", "neo4j", "ladybug", "kg.report", "kg.rules",
         "kg.cli.audit", "kg.cli.diagram")


def imported_after(*argv: str) -> set[str]:
    """The modules of HEAVY a fresh process has imported after running `kg ARGV`."""
    script = ("import json, sys\n"
              "from kg.cli.main import cli\n"
              "try:\n"
              "    cli(sys.argv[1:], prog_name='kg')\n"
              "except SystemExit as e:\n"
              "    assert not e.code, e.code\n"
              f"heavy = {HEAVY!r}\n"
              "print(json.dumps(sorted({m for m in heavy if m in sys.modules})), "
              "file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", script, *argv], capture_output=True,
                          text=True, check=True)
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_export_from_source_imports_none_of_the_audit_rich_or_stores():
    assert imported_after("export", "callgraph", str(PROGRAM)) == set()


def test_a_command_that_needs_them_imports_them():
    assert {"kg.rules", "kg.cli.audit", "yaml"} <= imported_after("rules", "list")


def test_every_subcommand_is_listed_and_runs_in_process():
    runner = CliRunner()
    listing = runner.invoke(cli, ["--help"])
    assert listing.exit_code == 0
    for name in ("audit", "diagram", "export", "info", "load", "query", "rules"):
        assert f"  {name} " in listing.output, name
    shown = runner.invoke(cli, ["export", "callgraph", str(PROGRAM)])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["main"] == ["main.Base.run", "main.Impl.__init__"]
    unknown = runner.invoke(cli, ["exprot"])
    assert unknown.exit_code == 2 and "No such command 'exprot'" in unknown.output


EXIT_PROBE = """
import atexit, gc, sys
atexit.register(lambda: print("frozen", gc.get_freeze_count(), file=sys.stderr))
from kg.cli.main import main
sys.argv = ["kg", *sys.argv[1:]]
main()
"""


def run_main(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", EXIT_PROBE, *argv], capture_output=True,
                          text=True)


def test_the_console_script_leaves_its_heap_to_the_os_at_exit():
    done = run_main("export", "callgraph", str(PROGRAM))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["main"] == ["main.Base.run", "main.Impl.__init__"]
    frozen = int(done.stderr.split("frozen ", 1)[1].split()[0])
    assert frozen > 10_000          # the command's objects, kg's and astroid's modules
    failed = run_main("export", "callgraph", str(PROGRAM / "nowhere"))
    assert failed.returncode == 2 and "does not exist" in failed.stderr
    assert "frozen" in failed.stderr   # an error exit leaves the heap too


def test_cli_in_process_freezes_nothing():
    before = gc.get_freeze_count()
    result = CliRunner().invoke(cli, ["export", "callgraph", str(PROGRAM)])
    assert result.exit_code == 0, result.output
    assert gc.get_freeze_count() == before
