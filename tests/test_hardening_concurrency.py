"""Concurrency, on each store: two loads of one repository at once, and audits during loads.

What each store does with a second load is documented in docs/stores.md: the embedded
store refuses it at once (exit 3, naming the process that writes), Neo4j makes it wait
for the first one's commit and then replaces that graph. Either way the graph afterwards
is one whole tree. An audit, whatever loads do meanwhile, reports on one generation: the
two trees below give disjoint findings in four rules (and their own source in the report
header), so a report that mixed them would match neither.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness import write_package
from kg import api
from kg.queries import open_store
from reliability_record import record
from test_store import snapshot

TESTS = Path(__file__).parent

# `kg load` that, once it holds the repository (embedded: the store's lock, taken before
# the parse; Neo4j: the Load node's lock, taken by its first write), says so and pauses.
HOLDING_LOAD = """
import sys, time
from kg.queries import embedded, neo4j_store

hold = float(sys.argv[1])

def holding():
    print("holding", flush=True)
    time.sleep(hold)

real_replace = embedded.EmbeddedStore.replace_repository
def replace_after_holding(*args, **kwargs):
    holding()
    return real_replace(*args, **kwargs)
embedded.EmbeddedStore.replace_repository = replace_after_holding

real_batch = neo4j_store._write_batch
def batch_then_hold(*args):
    written = real_batch(*args)
    if not getattr(batch_then_hold, "held", False):
        batch_then_hold.held = True
        holding()
    return written
neo4j_store._write_batch = batch_then_hold

real_write = neo4j_store.Neo4jStore.replace_repository
def writing(*args, **kwargs):    # an incremental write first reads the Load node under its lock
    print("writing", flush=True)
    return real_write(*args, **kwargs)
neo4j_store.Neo4jStore.replace_repository = writing

from kg.cli.main import main
sys.argv = ["kg", "load", *sys.argv[2:]]
main()
"""


def tree(root: Path, prefix: str, modules: int) -> Path:
    """Package `{prefix}app`, modules `{prefix}{i}`, each an unused constant, a function and a pass-through wrapper
    of it that nothing calls: findings of dead-module, dead-symbol, unused-constant and
    pass-through-wrapper that name the prefix."""
    return write_package(root, {f"{prefix}app/__init__.py": "", **{
        f"{prefix}app/{prefix}{i}.py": (f"{prefix.upper()}_LIMIT_{i} = 3\n\n\n"
                                f"def {prefix}_target_{i}(a, b):\n    return a + b\n\n\n"
                                f"def {prefix}_forward_{i}(a, b):\n"
                                f"    return {prefix}_target_{i}(a, b)\n")
        for i in range(modules)}})


def kg(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kg", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def holding_load(hold: float, *args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", HOLDING_LOAD, str(hold), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def kind_of(uri: str) -> str:
    return "embedded" if "://" not in uri else "neo4j"


def whole(uri: str) -> dict:
    """The repository's graph, without when and how the Load node says it was loaded."""
    with open_store(uri) as store:
        snap = snapshot(store, "one")
    volatile = ("started", "finished", "seconds", "commit", "mode", "reextracted")
    return {**snap, "load": [{k: v for k, v in load.items() if k not in volatile}
                             for load in snap["load"]]}


def findings(report: str) -> tuple:
    """What an audit report says of the graph: its source, and each finding's rule and
    message (the generated time left out)."""
    data = json.loads(report)
    return (data["header"]["source"],
            tuple(sorted((f["rule"], f["message"]) for group in data["findings"]
                         for f in group["findings"])))


@pytest.fixture
def env(tmp_path):
    """The environment of kg's processes: the facts cache of a Neo4j store under tmp_path."""
    return {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}


@pytest.fixture
def trees(tmp_path):
    return {"old": tree(tmp_path / "old", "old", 8), "new": tree(tmp_path / "new", "new", 12)}


def load(uri: str, path: Path, env: dict) -> None:
    run = kg("load", str(path), "--repo", "one", "--store", uri, "-q", env=env)
    assert run.wait(300) == 0, run.stderr.read()


def test_a_second_load_of_the_repository_is_refused_or_waits(store_uri, trees, env):
    """The first load holds the repository for a while; a second `kg load` of it meanwhile
    is refused (embedded) or waits at its first write until the first one's commit (Neo4j,
    where it prints "writing" and then stays blocked while the first holds)."""
    uri, kind = store_uri, kind_of(store_uri)
    load(uri, trees["new"], env)
    graphs = {"new": whole(uri)}
    load(uri, trees["old"], env)
    graphs["old"] = whole(uri)
    first = holding_load(8, str(trees["new"]), "--repo", "one", "--store", uri, "-q", env=env)
    second = None
    try:
        assert "holding\n" in iter(first.stdout.readline, ""), first.stderr.read()
        second = holding_load(0, str(trees["old"]), "--repo", "one", "--store", uri, "-q",
                              env=env)
        if kind == "embedded":
            assert second.wait(120) == 3
            message = second.stderr.read()
            assert f"is being written by another kg process (process {first.pid})" in message
            assert "wait for that load to finish and try again" in message
            assert first.poll() is None
            assert first.wait(300) == 0, first.stderr.read()
            outcome, final = "second refused at once: exit 3, naming the writing process", "new"
        else:
            assert second.stdout.readline() == "writing\n", second.stderr.read()
            time.sleep(1.0)
            assert first.poll() is None, "the first load stopped holding too early"
            assert second.poll() is None, "the second load wrote while the first held the lock"
            assert first.wait(300) == 0, first.stderr.read()
            assert second.wait(300) == 0, second.stderr.read()
            outcome, final = "second waited at its first write, then replaced the first", "old"
    finally:
        for process in (first, second):
            if process is not None:
                process.kill()
                process.wait()
    after = whole(uri)
    record("concurrency", "two-loads", store=kind, outcome=outcome,
           graph_whole=after == graphs[final])
    assert after == graphs[final], f"the graph is not the {final} tree, whole"


def test_one_reader_reads_one_generation_across_its_queries(store_uri, trees, env):
    """Queries run through store.consistently see one generation even when a load switches
    the graph over between them: the embedded store keeps the generation it opened, Neo4j
    runs the reader again."""
    uri, kind = store_uri, kind_of(store_uri)
    load(uri, trees["old"], env)
    runs = []

    def reader(store):
        runs.append(len(runs))
        modules = store.query("MATCH (m:Module {repo: 'one'}) RETURN count(m)").rows
        if len(runs) == 1:
            api.load(trees["new"], store=uri, repo="one")
        functions = store.query("MATCH (f:Function {repo: 'one'}) RETURN count(f)").rows
        return modules[0][0], functions[0][0]

    with open_store(uri) as store:
        counts = store.consistently(lambda: reader(store))
    expected = {"embedded": ((9, 16), 1), "neo4j": ((13, 24), 2)}[kind]
    record("concurrency", "reader-across-a-load", store=kind, outcome=f"{len(runs)} runs",
           counts=counts)
    assert (counts, len(runs)) == expected


def test_audits_during_reloads_report_one_generation(store_uri, trees, env):
    uri, kind = store_uri, kind_of(store_uri)
    reports = {}
    for name in ("new", "old"):
        load(uri, trees[name], env)
        audit = kg("audit", "--store", uri, "--format", "json", env=env)
        out, err = audit.communicate(timeout=300)
        assert audit.returncode == 0, err
        reports[name] = findings(out)
    assert set(reports["old"][1]).isdisjoint(reports["new"][1])
    assert len({rule for rule, _ in reports["old"][1]}) >= 4
    seen = []
    reloads = 0
    deadline = time.monotonic() + 60
    while (reloads < 2 or len(seen) < 4) and time.monotonic() < deadline:
        loading = kg("load", str(trees["new" if reloads % 2 == 0 else "old"]), "--repo", "one",
                     "--store", uri, "-q", env=env)
        while loading.poll() is None:
            audit = kg("audit", "--store", uri, "--format", "json", env=env)
            out, err = audit.communicate(timeout=300)
            assert audit.returncode == 0, err
            report = findings(out)
            seen.append("old" if report == reports["old"] else
                        "new" if report == reports["new"] else "mixed")
        assert loading.returncode == 0, loading.stderr.read()
        reloads += 1
    record("concurrency", "audit-during-loads", store=kind,
           outcome=f"{len(seen)} audits during {reloads} reloads, {seen.count('mixed')} mixed",
           audits=len(seen), reloads=reloads, mixed=seen.count("mixed"))
    assert "mixed" not in seen, seen
    assert len(seen) >= 4
