"""`kg audit` and `kg rules`: run the rules and report; list, show and test rules."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kg import api
from kg.cli.errors import KgClickError, reported
from kg.cli.options import parse_params, store_options
from kg.cli.output import render
from kg.report import FORMATS
from kg.rules.rule import SEVERITIES

RULES_HELP = "A folder of rule files (*.yaml) to use besides the bundled ones (repeatable)."


def _ids(values: tuple[str, ...]) -> tuple[str, ...]:
    """--select a,b --select c -> (a, b, c)."""
    return tuple(i.strip() for v in values for i in v.split(",") if i.strip())


@click.command()
@click.option("--rules", "rules_dirs", multiple=True, metavar="DIR", help=RULES_HELP)
@click.option("--select", multiple=True, metavar="ID,..",
              help="Run only these rules (comma-separated or repeated).")
@click.option("--ignore", multiple=True, metavar="ID,..",
              help="Do not run these rules (comma-separated or repeated).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True,
              help="md for people, json for programs (docs/report.schema.json), sarif for "
                   "code-scanning tools, html for one self-contained page.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report to this file instead of standard output.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default=None,
              help="Exit 1 when a finding (not suppressed, not baselined) is at or over this "
                   "severity. Without it the exit code ignores findings.")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A JSON file of accepted findings: they are reported apart and never fail "
                   "the run.")
@click.option("--update-baseline", is_flag=True,
              help="Write today's findings to the --baseline file, accepting them.")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="Set a rule parameter for every rule that has it (JSON values are parsed; "
                   "repeatable).")
@click.option("--repo", default=None,
              help="The repository to audit when the store holds several.")
@store_options
@reported
def audit(rules_dirs, select, ignore, fmt, output, fail_on, baseline, update_baseline, params,
          repo, store, database):
    """Run the rules on a loaded repository and report the findings, a per-module table with
    a keep/simplify/remove verdict, and what each entry point runs.

    Exit 1 only with --fail-on and a finding at or over it; 2 for bad input or a bad rule;
    3 when the store is unavailable.
    """
    result = api.audit_report(store=store, repo=repo, rules_dirs=rules_dirs,
                              select=_ids(select), ignore=_ids(ignore),
                              params=parse_params(params), baseline=baseline,
                              update_baseline=update_baseline, fmt=fmt, database=database)
    if output is None:
        click.echo(result.text, nl=False)
    else:
        try:
            output.write_text(result.text, encoding="utf-8")
        except OSError as e:
            raise KgClickError(f"{output}: cannot write the report: {e}", 2) from None
        click.echo(f"kg: wrote the {fmt} report to {output}", err=True)
    if result.baseline_written is not None:
        click.echo(f"kg: baseline {baseline}: {result.baseline_written} findings accepted",
                   err=True)
    failing = result.audit.at_or_over(fail_on) if fail_on else []
    if failing:
        click.echo(f"kg: {len(failing)} finding{'s' if len(failing) != 1 else ''} at or over "
                   f"{fail_on} (--fail-on)", err=True)
        raise click.exceptions.Exit(1)


@click.group()
def rules():
    """List, show and test rules."""


@rules.command("list")
@click.option("--rules", "rules_dirs", multiple=True, metavar="DIR", help=RULES_HELP)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="table for people; json for programs.")
@reported
def list_rules(rules_dirs, fmt):
    """Every rule by id: its kind, severity and title."""
    found = api.rules(rules_dirs)
    click.echo(render(["id", "kind", "severity", "title"],
                      [[r.id, r.kind, r.severity, r.title] for r in found], fmt))


@rules.command("show")
@click.argument("rule_id", metavar="ID")
@click.option("--rules", "rules_dirs", multiple=True, metavar="DIR", help=RULES_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text for people; json for programs.")
@reported
def show_rule(rule_id, rules_dirs, fmt):
    """Everything about one rule: metadata, docs, parameters, message and query."""
    found = api.rule(rule_id, rules_dirs)
    data = {"id": found.id, "title": found.title, "kind": found.kind,
            "severity": found.severity, "tags": list(found.tags), "file": str(found.path),
            "params": found.params, "requires": list(found.requires), "key": list(found.key),
            "severity_column": found.severity_column, "message": found.message,
            "docs": found.docs, "query": found.query}
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        return
    click.echo(f"{found.id}: {found.title}")
    for name in ("kind", "severity", "tags", "file", "params", "requires", "key",
                 "severity_column", "message"):
        if data[name] not in (None, "", [], {}):
            shown = data[name] if isinstance(data[name], str) else json.dumps(data[name])
            click.echo(f"  {name + ':':<16}{shown}")
    for section, text in found.docs.items():
        click.echo(f"\n{section.replace('_', ' ')}:\n  " + text.strip().replace("\n", "\n  "))
    click.echo("\nquery:\n  " + found.query.strip().replace("\n", "\n  "))


@rules.command("test")
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@reported
def test_rules(folder):
    """Run each rule in DIR on its fixture DIR/<id>/ and compare with its annotations.

    `# ruleid: <id>` marks a line the rule must report, `# ok: <id>` one it must not;
    `# todoruleid:` / `# todook:` record known gaps. Exit 1 if any rule fails.
    """
    checks = api.check_rules(folder)
    for check in checks:
        if check.passed:
            click.echo(f"PASS {check.rule}")
            continue
        click.echo(f"FAIL {check.rule}")
        if check.problem:
            click.echo(f"  {check.problem}")
        for label, places in (("missed", check.missed), ("wrongly found", check.wrong)):
            for file, line in places:
                click.echo(f"  {label} {file}:{line}")
    failed = sum(1 for c in checks if not c.passed)
    click.echo(f"{len(checks) - failed} of {len(checks)} rules pass")
    if failed:
        raise click.exceptions.Exit(1)
