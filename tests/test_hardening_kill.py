"""Crash safety: `kg load` killed with SIGKILL at random moments of a reload, on each store.

Each trial reloads repository "one" with a real `kg load` process, alternately from two
trees of different sizes, and kills it (kill -9, from this process) at a moment drawn from
a seeded random: first a phase of the load (start-up, parse, extract, write, commit), in
turn, then a point in that phase, from the phase lengths of a timed reload. Afterwards the
repository must be its previous graph, identical (counts per label and relationship type,
names, CONTAINS and CALLS rows, the Load node) — or, for a kill after the commit began,
the new tree's whole graph, and only that once the commit is over — and the next load
must succeed. The loading process reports
the phases it reached on stdout, so each trial records where the kill actually landed.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

from harness import write_package
from kg import api
from kg.queries import open_store
from reliability_record import record
from test_store import snapshot

TRIALS = 20
SEED = 20250801
PHASES = ("start", "parse", "extract", "write", "commit")
# Where each store's commit ends: the CURRENT pointer renamed (embedded); the switching
# flag cleared (Neo4j). A kill from then on must leave the new graph.
COMMITTED = "committed"
MARK = "phase: "

# `kg load` itself (kg.cli.main), with a line on stdout as each phase of the load begins.
MARKED_LOAD = """
import sys
from kg.loader import parallel, parse
from kg.queries import embedded, neo4j_store

def mark(phase, real):
    def marked(*args, **kwargs):
        print("phase:", phase, flush=True)
        return real(*args, **kwargs)
    return marked

parse.parse = mark("parse", parse.parse)
parallel.extract_modules = mark("extract", parallel.extract_modules)
for store, commit, after in ((embedded.EmbeddedStore, "_switch_to", "_forget_generations"),
                             (neo4j_store.Neo4jStore, "_switching", "_replan")):
    store.replace_repository = mark("write", store.replace_repository)
    setattr(store, commit, mark("commit", getattr(store, commit)))
    setattr(store, after, mark("committed", getattr(store, after)))

from kg.cli.main import main
sys.argv = ["kg", "load", *sys.argv[1:]]
main()
"""


def tree(root: Path, modules: int) -> Path:
    """A package of `modules` modules, each a class, a method and a function calling both."""
    return write_package(root, {"app/__init__.py": "", **{
        f"app/m{i}.py": (f"from app.m{(i + 1) % modules} import f{(i + 1) % modules}\n\n"
                         f"class C{i}:\n    def m(self):\n        return {i}\n\n"
                         f"def f{i}():\n    return C{i}().m()\n\n"
                         f"def g{i}():\n    return f{(i + 1) % modules}()\n")
        for i in range(modules)}})


def whole(snap: dict) -> dict:
    """A snapshot without what the Load node says of the load itself (when, how long, whether
    incremental), to compare two loads of one tree."""
    volatile = ("started", "finished", "seconds", "commit", "mode", "reextracted")
    loads = [{k: v for k, v in load.items() if k not in volatile} for load in snap["load"]]
    return {**snap, "load": loads}


def diff(got: dict, wanted: dict) -> str:
    return "; ".join(f"{key}: {got[key]} != {wanted[key]}" for key in wanted
                     if got[key] != wanted[key])


def read(uri: str) -> dict:
    with open_store(uri) as store:
        return snapshot(store, "one")


def marked_load(uri: str, path: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", MARKED_LOAD, str(path), "--repo", "one",
                             "--store", uri, "-q"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def phase_lengths(uri: str, path: Path, env: dict) -> dict[str, float]:
    """Seconds each phase of a reload lasts, from a reload that is not killed."""
    started = time.perf_counter()
    load = marked_load(uri, path, env)
    seen = {"start": started}
    for line in load.stdout:
        if line.startswith(MARK):
            seen.setdefault(line.removeprefix(MARK).strip(), time.perf_counter())
    assert load.wait(300) == 0, load.stderr.read()
    seen["end"] = time.perf_counter()
    assert list(seen) == [*PHASES, COMMITTED, "end"], f"phases seen: {list(seen)}"
    stamps = list(seen.values())
    return {phase: stamps[i + 1] - stamps[i] for i, phase in enumerate(PHASES)}


def kill_during(uri: str, path: Path, env: dict, phase: str, delay: float):
    """Start a reload, SIGKILL it `delay` s after it reports `phase`; (exit code, seconds
    from start to the kill, the last phase it reported)."""
    started = time.perf_counter()
    load = marked_load(uri, path, env)
    reached = ["start"]
    if phase != "start":
        for line in load.stdout:
            if line.startswith(MARK):
                reached.append(line.removeprefix(MARK).strip())
            if reached[-1] == phase:
                break
    time.sleep(delay)
    load.kill()
    moment = time.perf_counter() - started
    code = load.wait(60)
    reached += [line.removeprefix(MARK).strip() for line in load.stdout.read().splitlines()
                if line.startswith(MARK)]
    return code, moment, reached[-1]


def test_kg_load_killed_at_20_random_moments_loses_nothing(store_uri, tmp_path, monkeypatch):
    uri = store_uri
    kind = "embedded" if "://" not in uri else "neo4j"
    # The facts cache of a Neo4j store lives under the user's cache folder: keep it here.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    trees = [tree(tmp_path / "small", 12), tree(tmp_path / "big", 20)]
    api.load(trees[1], store=uri, repo="one")
    expected = [None, whole(read(uri))]
    lengths = phase_lengths(uri, trees[0], env)
    current = read(uri)
    expected[0] = whole(current)
    assert expected[0]["counts"] != expected[1]["counts"]
    rng = random.Random(SEED)
    killed = 0
    for _ in range(TRIALS * 2):
        if killed == TRIALS:
            break
        target = 1 - expected.index(whole(current))
        phase = PHASES[killed % len(PHASES)]
        delay = rng.uniform(0.0, 0.9) * lengths[phase]
        code, moment, landed = kill_during(uri, trees[target], env, phase, delay)
        if code != -9:      # it finished before the kill: not a trial
            assert code == 0, f"exit {code}"
            current = read(uri)
            continue
        after = read(uri)
        previous = after == current
        new = whole(after) == expected[target]
        if landed == COMMITTED:
            graph_whole = new
        elif landed == "commit":
            graph_whole = previous or new
        else:
            graph_whole = previous
        next_load_ok = False
        if graph_whole:
            api.load(trees[target], store=uri, repo="one")
            current = read(uri)
            next_load_ok = whole(current) == expected[target]
            assert next_load_ok, diff(whole(current), expected[target])
        record("kill", f"{kind}-{killed}", store=kind, trial=killed, phase=phase,
               landed=landed, moment_seconds=round(moment, 3), graph_whole=graph_whole,
               graph="previous" if previous else "new" if graph_whole else "mixed",
               next_load_ok=next_load_ok)
        assert graph_whole, (f"trial {killed}: a kill in {landed} at {moment:.2f} s left "
                             f"neither the previous graph nor the new one whole")
        assert next_load_ok, f"trial {killed}: the load after the kill did not load the tree"
        killed += 1
    assert killed == TRIALS, f"only {killed} loads were killed before they finished"
