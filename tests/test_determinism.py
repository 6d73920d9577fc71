"""The graph does not depend on the order modules are extracted in, the process that
extracts them, the hash seed, or what an earlier load in the same process saw.

astroid records each `obj.attr = value` of a module it builds on what `obj` infers to,
`sys` included; inference builds stdlib modules lazily, so before inference_cache confined
those records, `sys.stdout` inferred to a StringIO too once some module's inference had
built `unittest.result`, and to what it is otherwise. Each load runs in a fresh
interpreter: astroid builds `sys` from the live module, whose streams pytest replaces.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "order_app"

# Loads each root given in turn in this one process; prints each load's facts as text.
GRAPHS_OF = """
import json, sys
from pathlib import Path
from kg.loader import extract
graphs = []
for root in sys.argv[2:]:
    extraction = extract(Path(root), "repo", jobs=int(sys.argv[1]))
    facts = extraction.facts
    graphs.append({"workers": extraction.workers, "nodes": sorted(json.dumps([label, row], sort_keys=True, default=repr)
                                   for label, rows in facts.nodes.items()
                                   for row in rows.values()),
                   "edges": sorted(repr(e) for e in facts.edges)})
json.dump(graphs, sys.stdout)
"""


def graphs(*roots: Path, jobs: int = 1, seed: str = "0") -> list[dict]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-c", GRAPHS_OF, str(jobs), *map(str, roots)],
                          capture_output=True, text=True, timeout=300, check=True, env=env)
    return json.loads(done.stdout)


def calls_of(graph: dict, function: str) -> set[tuple[str, str]]:
    """(callee, confidence) of the CALLS edges from a function of the fixture."""
    found = set()
    for edge in graph["edges"]:
        if edge.startswith("Edge(type='CALLS'") and f"Function:{function}'" in edge:
            callee = edge.split("dst='repo:External:")[1].split("'")[0]
            confidence = edge.split("('confidence', ")[1].split(")")[0]
            found.add((callee, confidence))
    return found


def test_a_stdlib_module_built_earlier_does_not_change_what_sys_stdout_is():
    # one process extracts a_checks (which builds unittest.result) before b_output
    [graph] = graphs(FIXTURE)
    assert calls_of(graph, "order_app.b_output.emit") == {("io.TextIOWrapper.write", "1.0")}
    assert calls_of(graph, "order_app.b_output.flush") == {("io.TextIOWrapper.flush", "1.0")}
    assert not any("io.StringIO" in edge for edge in graph["edges"])
    # the stdlib module still records its assignments on its own classes
    assert calls_of(graph, "order_app.a_checks.passed") >= {
        ("unittest.result.TestResult.wasSuccessful", "1.0")}


def test_two_seeds_and_two_workers_give_the_same_graph():
    # two workers hand out the longest module (b_output) first, before unittest.result
    one = graphs(FIXTURE, jobs=1, seed="0")
    two = graphs(FIXTURE, jobs=2, seed="1")
    assert (one[0].pop("workers"), two[0].pop("workers")) == (1, 2)
    assert one == two


def _package(root: Path, name: str, source: str) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / f"{name}.py").write_text(textwrap.dedent(source))
    return root


def test_the_targets_own_redirect_counts_and_is_forgotten_by_the_next_load(tmp_path):
    redirecting = _package(tmp_path / "redirecting", "capture", """
        import io
        import sys

        def capture():
            sys.stdout = io.StringIO()

        def emit(text):
            sys.stdout.write(text)
    """)
    plain = _package(tmp_path / "plain", "capture", """
        import sys

        def emit(text):
            sys.stdout.write(text)
    """)
    redirected, after = graphs(redirecting, plain)
    assert calls_of(redirected, "app.capture.emit") == {("io.StringIO.write", "0.5"),
                                                      ("io.TextIOWrapper.write", "0.5")}
    assert calls_of(after, "app.capture.emit") == {("io.TextIOWrapper.write", "1.0")}
    [alone] = graphs(plain)
    assert after == alone
