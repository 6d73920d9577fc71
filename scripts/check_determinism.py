"""Load a real project twice, in fresh interpreters, and diff the two graphs.

    python scripts/check_determinism.py ~/.cache/kg-bench/src/docutils-0.21.2/docutils
    python scripts/check_determinism.py PATH --runs 0:1 1:2     # SEED:JOBS of each load

kg's reports and diagrams are compared as text, so a load must give the same graph
whatever the hash seed, the number of worker processes (which changes the order and the
process each module is extracted in) or the machine's speed. Each run extracts the
project (kg.loader.extract, no store) under its own PYTHONHASHSEED and --jobs, and writes
every node (label, id, properties) and edge (type, ends, properties) as one sorted line;
the script prints the counts and the lines only one run has, and exits 1 when they differ.
A module whose inference budget ran out (a count of astroid inference steps,
docs/bad-input.md) is reported: astroid caches a little across the modules one process
extracts, so under --jobs N such a module may be cut at another inference. Not part of the timed test suite: a
docutils run takes about 40 CPU seconds with --jobs 1.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

DUMP = """
import json, sys, time, warnings
from pathlib import Path
from kg.loader import extract
warnings.simplefilter("ignore")    # astroid warns per node it cannot transform
started = time.process_time()
extraction = extract(Path(sys.argv[1]), "repo", jobs=int(sys.argv[2]))
facts = extraction.facts
lines = [json.dumps(["N", label, row], sort_keys=True, default=repr)
         for label, rows in facts.nodes.items() for row in rows.values()]
lines += [json.dumps(["E", e.type, e.src, e.dst, e.props], default=repr) for e in facts.edges]
Path(sys.argv[3]).write_text("\\n".join(sorted(lines)) + "\\n")
modules = extraction.modules.values()
print(json.dumps({"nodes": sum(len(rows) for rows in facts.nodes.values()),
                  "edges": len(facts.edges), "workers": extraction.workers,
                  "cpu": round(time.process_time() - started, 1),
                  "slowest_module": round(max((m["seconds"] for m in modules), default=0), 1),
                  "budget_exceeded": sorted(r["file"] for r in facts.nodes["Module"].values()
                                            if r.get("budget_exceeded"))}))
"""


def run(root: Path, seed: str, jobs: int, out: Path) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-c", DUMP, str(root), str(jobs), str(out)],
                          capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--runs", nargs=2, default=["0:1", "1:2"], metavar="SEED:JOBS",
                        help="the two loads (default 0:1 1:2)")
    parser.add_argument("--show", type=int, default=20, help="differing lines to print")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        outputs = []
        for i, spec in enumerate(args.runs):
            seed, jobs = spec.split(":")
            out = Path(tmp) / f"run{i}.txt"
            summary = run(args.path, seed, int(jobs), out)
            print(f"PYTHONHASHSEED={seed} --jobs {jobs}: {json.dumps(summary)}")
            outputs.append(set(out.read_text().splitlines()))
    first, second = outputs
    only = [("-", sorted(first - second)), ("+", sorted(second - first))]
    print(f"lines only in the first run: {len(only[0][1])}, "
          f"only in the second: {len(only[1][1])}")
    for sign, lines in only:
        for line in lines[:args.show]:
            print(f"{sign} {line[:300]}")
    return 1 if first != second else 0


if __name__ == "__main__":
    sys.exit(main())
