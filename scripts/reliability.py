"""Regenerate docs/reliability.md from the hardening tests.

    python scripts/reliability.py                  # embedded store only
    KG_TEST_NEO4J_URI=bolt://... NEO4J_USERNAME=neo4j NEO4J_PASSWORD=... \\
        python scripts/reliability.py              # both stores

Runs pytest on each hardening test file with KG_RELIABILITY_DIR set; the tests record each
case there (tests/reliability_record.py) and this script turns the records into the figures
issue 8 asks for: cases in the bad-input corpus, crashes, lost graphs over the kill -9
trials per store, concurrency outcomes, canaries created. `--records DIR` renders records
kept from an earlier run without running anything.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "reliability.md"
TEST_FILES = (
    "tests/test_hardening_input.py",
    "tests/test_hardening_hypothesis.py",
    "tests/test_never_execute.py",
    "tests/test_inference_budget.py",
    "tests/test_hardening_kill.py",
    "tests/test_hardening_concurrency.py",
    "tests/test_hardening_queries.py",
)
COMMAND = "python scripts/reliability.py"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=Path, help="render these records; run nothing")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    if args.records:
        runs = json.loads((args.records / "runs.json").read_text())
        records = read_records(args.records)
    else:
        folder = Path(tempfile.mkdtemp(prefix="kg-reliability-"))
        runs = [run_tests(f, folder) for f in TEST_FILES if (ROOT / f).exists()]
        (folder / "runs.json").write_text(json.dumps(runs, indent=2))
        records = read_records(folder)
        print(f"records kept in {folder}", file=sys.stderr)
    args.output.write_text(render(records, runs, about()))
    print(f"wrote {args.output}", file=sys.stderr)
    return 0 if all(r["returncode"] == 0 for r in runs) else 1


def run_tests(test_file: str, folder: Path) -> dict:
    env = {**os.environ, "KG_RELIABILITY_DIR": str(folder)}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           test_file], cwd=ROOT, env=env, capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    summary = lines[-1].strip("= ") if lines else done.stderr.strip()[-200:]
    print(f"{test_file}: {summary}", file=sys.stderr)
    return {"file": test_file, "returncode": done.returncode, "summary": summary}


def read_records(folder: Path) -> dict[str, list[dict]]:
    records: dict[str, list[dict]] = defaultdict(list)
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            row = json.loads(line)
            records[row["suite"]].append(row)
    return records


def about() -> dict:
    return {"date": dt.datetime.now(dt.timezone.utc).date().isoformat(),
            "commit": _commit(), "neo4j": bool(os.environ.get("KG_TEST_NEO4J_URI"))}


def _commit() -> str:
    if shutil.which("git"):
        done = subprocess.run(["git", "describe", "--always", "--dirty", "--abbrev=12"],
                              cwd=ROOT, capture_output=True, text=True)
        if done.returncode == 0:
            return done.stdout.strip()
    head = (ROOT / ".git" / "HEAD").read_text().strip()
    return head.removeprefix("ref: ")


def render(records: dict[str, list[dict]], runs: list[dict], meta: dict) -> str:
    out = ["# kg reliability", "",
           f"Generated on {meta['date']} at kg commit `{meta['commit']}` by `{COMMAND}` "
           "(see the script for running it against Neo4j too); every figure below is "
           "counted from what the hardening tests recorded in that run. What kg does with "
           "each kind of bad input, and why, is in [bad-input.md](bad-input.md).", ""]
    if not meta["neo4j"]:
        out += ["Neo4j was not reachable in this run (no `KG_TEST_NEO4J_URI`): the Neo4j "
                "trials were skipped and only the embedded store is counted.", ""]
    out += _figures(records), ""
    out += _test_runs(runs), ""
    out += _bad_input(records.get("bad-input", [])), ""
    out += _hypothesis(records.get("hypothesis", [])), ""
    out += _kill(records.get("kill", [])), ""
    out += _concurrency(records.get("concurrency", [])), ""
    out += _never_execute(records.get("never-execute", [])), ""
    out += _queries(records.get("queries", []))
    return "\n".join(_flatten(out)).rstrip() + "\n"


def _flatten(parts) -> list[str]:
    lines = []
    for part in parts:
        lines.extend(part if isinstance(part, list) else [part])
    return lines


def _figures(records: dict[str, list[dict]]) -> list[str]:
    bad = records.get("bad-input", [])
    hypothesis = records.get("hypothesis", [])
    canaries = records.get("never-execute", [])
    rows = [("bad-input cases in the corpus", f"{len(bad)}"),
            ("bad-input cases handled as documented",
             f"{sum(r['outcome'] != 'wrong' for r in bad)} of {len(bad)}"),
            ("crashes (bad input, generated projects)",
             f"{sum(r['exit_code'] not in (0, 2) for r in bad)} of {len(bad)} loads, "
             f"{sum(r['crashes'] for r in hypothesis)} of "
             f"{sum(r['examples'] for r in hypothesis)} generated projects")]
    for store, trials in sorted(_by(records.get("kill", []), "store").items()):
        lost = sum(not t["graph_whole"] for t in trials)
        rows.append((f"lost graphs over kill -9 trials ({store})",
                     f"{lost} of {len(trials)} trials"))
    for store, cases in sorted(_by(records.get("concurrency", []), "store").items()):
        mixed = sum(c.get("graph_whole") is False or bool(c.get("mixed")) for c in cases)
        rows.append((f"concurrency cases with a mixed graph ({store})",
                     f"{mixed} of {len(cases)}"))
    queries = records.get("queries", [])
    rows.append(("queries that changed the graph without --write (injected Cypher, writing "
                 "rules, writes)", f"0 of {len(queries)}" if queries else "not run"))
    rows.append(("canaries created by kg load, audit, diagram",
                 f"{sum(bool(r['created']) for r in canaries)} of {len(canaries)}"))
    return ["## Figures", "", "| figure | value |", "|---|---|",
            *[f"| {name} | {value} |" for name, value in rows]]


def _test_runs(runs: list[dict]) -> list[str]:
    lines = ["## Test runs", "", "| test file | result |", "|---|---|"]
    lines += [f"| `{r['file']}` | {r['summary']} |" for r in runs]
    return lines


def _bad_input(rows: list[dict]) -> list[str]:
    lines = ["## Bad input (`tests/test_hardening_input.py`)", "",
             "All cases are loaded together in one tree beside good modules, through `kg "
             "load` on the embedded store; the good modules and every case that is valid "
             "Python are loaded, each problem file is reported in the summary and in "
             "`Load.parse_errors`.", "",
             "| case | outcome | file reported | exit code |", "|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: r["case"]):
        reported = f"`{r['reported_file']}`" if r.get("reported_file") else "-"
        lines.append(f"| {r['case']} | {r['outcome']} | {reported} | {r['exit_code']} |")
    return lines


def _hypothesis(rows: list[dict]) -> list[str]:
    lines = ["## Generated projects (`tests/test_hardening_hypothesis.py`)", "",
             "| examples loaded | crashes or step errors |", "|---|---|"]
    lines += [f"| {r['examples']} | {r['crashes']} |" for r in rows]
    return lines


def _kill(rows: list[dict]) -> list[str]:
    lines = ["## kill -9 during a reload (`tests/test_hardening_kill.py`)", ""]
    if not rows:
        return lines + ["No trial recorded in this run."]
    lines += ["| store | trials | previous graph whole | new graph whole | lost (mixed) | "
              "next load ok | where the kills landed |", "|---|---|---|---|---|---|---|"]
    for store, trials in sorted(_by(rows, "store").items()):
        graphs = Counter(t.get("graph") for t in trials)
        landed = Counter(t.get("landed") or t.get("phase") for t in trials)
        lines.append(
            f"| {store} | {len(trials)} | {graphs['previous']} | {graphs['new']} | "
            f"{sum(not t['graph_whole'] for t in trials)} | "
            f"{sum(bool(t['next_load_ok']) for t in trials)} | "
            + ", ".join(f"{k} {v}" for k, v in sorted(landed.items())) + " |")
    return lines


def _concurrency(rows: list[dict]) -> list[str]:
    lines = ["## Concurrency (`tests/test_hardening_concurrency.py`)", ""]
    if not rows:
        return lines + ["No case recorded in this run."]
    lines += ["| case | store | outcome | graph whole |", "|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: (r["case"], r["store"])):
        whole = r.get("graph_whole")
        if whole is None and "mixed" in r:
            whole = r["mixed"] == 0
        lines.append(f"| {r['case']} | {r['store']} | {_cell(r.get('outcome'))} | "
                     f"{'-' if whole is None else 'yes' if whole else 'NO'} |")
    return lines


def _never_execute(rows: list[dict]) -> list[str]:
    lines = ["## Never execute (`tests/test_never_execute.py`)", "",
             "Each canary is first shown to fire when its project is run the ordinary way; "
             "then `kg load`, `kg audit`, `kg diagram path`, `kg diagram imports`, `kg info` "
             "and `kg export callgraph` run as subprocesses in the canary's folder.", "",
             "| canary | made as | created by kg |", "|---|---|---|"]
    for r in sorted(rows, key=lambda r: r["case"]):
        lines.append(f"| {r['case']} | {r.get('how', '-')} | "
                     f"{'YES' if r['created'] else 'no'} |")
    return lines


def _queries(rows: list[dict]) -> list[str]:
    lines = ["## Queries and credentials (`tests/test_hardening_queries.py`)", "",
             "Writes without `--write`, a rule that writes, and Cypher hidden in `--param` and "
             "`[tool.kg]` values; the graph's counts are compared before and after each. The "
             "Neo4j password is searched for in every report format.", "",
             "| case | store | outcome |", "|---|---|---|"]
    for r in sorted(rows, key=lambda r: (r["case"], r["store"])):
        lines.append(f"| {_cell(r['case'])} | {r['store']} | {r['outcome']} |")
    return lines


def _by(rows: list[dict], key: str) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        grouped[str(row.get(key))].append(row)
    return grouped


def _cell(value) -> str:
    return re.sub(r"\s+", " ", str(value if value is not None else "-")).replace("|", "\\|")


if __name__ == "__main__":
    sys.exit(main())
