"""What the CLI calls: one function per command, taking plain values, returning plain results."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg import __version__
from kg.diagram import classes as class_diagrams
from kg.diagram import imports as import_diagrams
from kg.diagram import path as path_diagrams
from kg.diagram import render as diagram_render
from kg.errors import InputError, KgError, StoreUnavailable
from kg.loader import extract, facts_cache, forked, phases
from kg.loader.calls import call_stats
from kg.loader.extract import Extraction, rarer_collections
from kg.loader.limits import DEFAULT_INFERENCE_BUDGET, DEFAULT_MAX_FILE_MB, Limits, budget_report
from kg.model.changes import Changes, Digest
from kg.model.facts import Facts
from kg.model.schema import SCHEMA_VERSION
from kg.queries import QueryResult, callgraph, open_store

if TYPE_CHECKING:   # the audit's modules are imported by the functions that run them: a
    # command that runs none starts without them (jsonschema, yaml: ~50 ms a process)
    from kg.rules import engine, fixtures
    from kg.rules.config import ProjectConfig
    from kg.rules.rule import Rule


@dataclass
class LoadSummary:
    repo: str
    source: str
    store: str
    files: int
    counts: dict[str, int]
    parse_errors: dict[str, str]
    step_errors: dict[str, str]
    calls: dict[str, int]
    seconds: float
    extract_seconds: float
    commit: str | None = None
    warnings: list[str] = field(default_factory=list)
    incremental: bool = False               # unchanged modules' facts came from the cache
    reextracted: int = 0                    # modules extracted by this load
    workers: int = 1                        # processes that extracted them
    budget_exceeded: dict[str, str] = field(default_factory=dict)   # file -> where
    timings: list[phases.Phase] = field(default_factory=list)       # where the time went

    @property
    def inferred_ratio(self) -> float | None:
        """Of the call sites naming a local function or class, the share resolved by inference."""
        local = self.calls.get("local_calls", 0)
        return self.calls.get("local_calls_inferred", 0) / local if local else None


def default_repo_name(path: Path) -> str:
    path = path.resolve()
    if path.name == "src" and path.parent.name:
        return path.parent.name
    return path.stem if path.is_file() else path.name


def load_limits(inference_budget: float | None, max_file_mb: float | None,
                settings: ProjectConfig) -> Limits:
    """What the command line gave, else the project's settings, else the defaults (a budget
    of 0 steps infers nothing: every call resolves by name, the fastest load)."""
    budget = _first(inference_budget, settings.inference_budget, DEFAULT_INFERENCE_BUDGET)
    size = _first(max_file_mb, settings.max_file_size, DEFAULT_MAX_FILE_MB)
    return Limits.of(budget, size)


def _first(*values: float | None) -> float | None:
    return next((v for v in values if v is not None), None)


def load(path: str | Path, store: str | None = None, repo: str | None = None,
         exclude: tuple[str, ...] = (), progress: Callable | None = None,
         database: str | None = None, jobs: int | None = None,
         full: bool = False, inference_budget: float | None = None,
         max_file_mb: float | None = None) -> LoadSummary:
    """Parse the tree at path and replace its repository's subgraph in the store.

    Incremental unless full: the modules nothing changed for keep their facts from the
    facts cache of the previous load (docs/incremental.md). jobs: processes extracting
    modules (None: every core, one for a small project). inference_budget: astroid inference
    steps per module (limits.py), counted so that any machine cuts a module at the same point;
    max_file_mb: larger files are reported, not read. Each of the two
    and exclude also come from the project's `[tool.kg]` settings (rules/config.py): a value
    given here wins, then the settings, then the defaults (1,500,000 steps, 5 MB).
    Raises InputError, leaving the store as it was, when no file could be read and parsed, or
    when the settings cannot be read."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    repo = repo or default_repo_name(path)
    from kg.rules.config import find_config  # here: `kg export callgraph` starts without it
    settings = find_config(path.resolve())
    exclude = (*settings.exclude, *exclude)
    started = dt.datetime.now(dt.timezone.utc)
    before, after = phases.Timings(), phases.Timings()      # the extraction's come between
    with open_store(store, database=database) as graph:
        with before.timed("prepare"):
            graph.lock_for_writing()
            folder = facts_cache_folder(graph, repo, database)
            source = str(path.resolve())
            limits = load_limits(inference_budget, max_file_mb, settings)
            record = None if full else _load_record(graph, repo)
            previous = None if full else facts_cache.read(folder, repo, source, record, limits)
            _retry_over_budget(previous, record)
            writer = facts_cache.Writer(folder)

        def extracted(progress: Callable | None, digest: bool = True) -> tuple[Extracted, Facts]:
            extraction = extract(path, repo, exclude=exclude, progress=progress, jobs=jobs,
                                 previous=previous, on_fragment=writer.add, limits=limits)
            return Extracted.of(extraction, writer, previous, record, digest), extraction.facts

        # A full load's store write needs no digest: this process works it out beside the
        # write, from the facts handed over, rather than the child before handing them over.
        early = previous is None
        digesting = None

        def handed_over(progress: Callable | None) -> tuple[Extracted, forked.Packed]:
            done, facts = extracted(progress, digest=not early)
            return done, forked.Packed(facts)

        def fetched() -> Facts:
            with after.timed("hand over"):
                return child.second()

        if forked.worth_a_child(path, exclude):     # the write never shares its heap
            child = forked.Child(handed_over, progress)
            done = child.first
            if early:
                digesting = _Digesting(done.writer, fetched)
            facts = forked.Deferred(fetched if digesting is None else digesting.facts)
        else:
            child = None
            done, facts = extracted(progress)
        try:
            try:
                with after.timed("write", excluding=("hand over",)):
                    load_node = _written(graph, path, repo, source, started, done, facts,
                                         progress)
            except BaseException:
                if digesting is not None:   # its digest goes with the failed write's fragments
                    digesting.join()
                    done.writer.abandon()
                raise
            del facts
            if child is not None:
                child.let_go()      # its heap goes while the cache is committed
            if digesting is not None:
                digesting.join()    # the digest in the cache before the manifest names it
            extraction, writer = done.extraction, done.writer
            # rarer collections: a full collection of that heap took 5 CPU s on sympy
            with rarer_collections(), after.timed("cache"):
                _commit_cache(writer, extraction, previous, repo, source,
                              facts_cache.load_key(load_node), facts_cache.limits_key(limits))
        finally:
            if child is not None:
                child.close()
        seconds = (dt.datetime.now(dt.timezone.utc) - started).total_seconds()
        return LoadSummary(
            repo=repo, source=str(path), store=graph.uri, files=extraction.files,
            counts=done.counts, parse_errors=extraction.parse_errors,
            step_errors=extraction.step_errors, calls=done.calls, seconds=seconds,
            extract_seconds=extraction.seconds, commit=load_node["commit"],
            warnings=list(extraction.warnings), incremental=extraction.incremental,
            reextracted=extraction.reextracted, workers=extraction.workers,
            budget_exceeded=done.over_budget,
            timings=[*before.phases(), *extraction.timings.phases(), *after.phases()])


@dataclass
class Extracted:
    """What a load writes besides the facts, worked out where the facts are (in the forked
    child for a large project, so only this crosses to the writing process when the store
    takes the changes): the extraction's record without its facts, the facts cache's
    writer (which wrote the new graph's digest into the cache), the counts, and the changes
    from the stored graph."""

    extraction: Extraction
    writer: facts_cache.Writer
    counts: dict[str, int]
    calls: dict[str, int]
    over_budget: dict[str, str]
    changes: Changes | None

    @classmethod
    def of(cls, extraction, writer, previous, record: dict | None,
           digest: bool = True) -> Extracted:
        """Without digest (a full load's child), neither the digest nor the changes: the
        writing process works the digest out (_Digesting)."""
        facts = extraction.facts
        changes = None
        if digest:
            # rarer collections: the astroid heap is still alive (see extract.py)
            with rarer_collections(), extraction.timings.timed("digest"):
                # An incremental load writes what changed since the graph the cache's digest
                # describes (docs/incremental.md, The store write).
                new = _digest_written(writer, facts)
                changes = previous.changes(new, facts, record) if previous else None
        return cls(extraction=dataclasses.replace(extraction, facts=None), writer=writer,
                   counts=facts.counts(), calls=call_stats(facts),
                   over_budget=budget_report(facts), changes=changes)


def _digest_written(writer, facts: Facts) -> Digest | None:
    """The digest of the graph this load writes, written into the facts cache for the next
    load; None when the cache is broken or the graph has none."""
    digest = None if writer.broken else Digest.of(facts)
    if digest is not None:
        writer.add_digest(digest)
    return digest


class _Digesting(threading.Thread):
    """A full load's digest, worked out in the writing process beside the store write, from
    the facts as they are handed over (facts), and written into the facts cache before the
    cache's manifest is (join).

    Not in the child, before it hands the facts over: there the 2-3 s are on the write's way
    (sympy: 3.0 s of a 91 s load). Nor in the child after it: the child's heap (1.7 GB on
    sympy) would then live on beside the facts read here and the store's own memory. Here
    the thread runs while the store copies the rows in (LadybugDB's COPY, Neo4j's network
    round trips let go of the GIL). If it fails, the cache names no digest, and the next
    load writes the whole graph, as after a graph that has no digest."""

    def __init__(self, writer, fetch: Callable[[], Facts]):
        super().__init__(name="kg-digest", daemon=True)
        self._writer, self._fetch = writer, fetch
        self._facts: Facts | None = None

    def facts(self) -> Facts:
        """The facts from fetch, the digest of them begun."""
        facts = self._facts = self._fetch()
        self.start()
        return facts

    def run(self) -> None:
        try:
            _digest_written(self._writer, self._facts)
        except Exception:  # noqa: BLE001, S110 - only the next load's shortcut is lost
            pass
        finally:
            self._facts = None

    def join(self, timeout: float | None = None) -> None:
        if self.ident is not None:      # begun: the facts were handed over
            super().join(timeout)


def _written(graph, path: Path, repo: str, source: str, started: dt.datetime,
             done: Extracted, facts, progress: Callable | None) -> dict:
    """The load's facts (or only their changes) written to the store: its Load node."""
    extraction = done.extraction
    if len(extraction.parse_errors) == extraction.files:
        done.writer.abandon()
        raise InputError(_nothing_loaded(path, extraction.parse_errors))
    finished = dt.datetime.now(dt.timezone.utc)
    load_node = {
        "id": f"{repo}:Load", "repo": repo, "file": "", "line": 0, "end_line": 0,
        "schema_version": SCHEMA_VERSION, "kg_version": __version__,
        "source": source, "commit": git_commit(path),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "seconds": round((finished - started).total_seconds(), 3),
        "files": extraction.files,
        "file_hashes": json.dumps(extraction.file_hashes, sort_keys=True),
        "counts": json.dumps(done.counts, sort_keys=True),
        "parse_errors": [f"{f}: {m}" for f, m in sorted(extraction.parse_errors.items())],
        "budget_exceeded": [f"{f}: {m}" for f, m in sorted(done.over_budget.items())],
        "mode": "incremental" if extraction.incremental else "full",
        "reextracted": extraction.reextracted,
        **done.calls,
    }
    if progress:
        progress("write", 0, 1)
    try:
        with rarer_collections():   # the astroid heap may still be alive: see extract.py
            graph.replace_repository(repo, facts, load_node, changes=done.changes)
    except BaseException:
        done.writer.abandon()
        raise
    if progress:
        progress("write", 1, 1)
    return load_node


def _retry_over_budget(previous, record: dict | None) -> None:
    """The modules whose inference budget ran out in the previous load are extracted again
    rather than kept from the facts cache, so a larger budget completes them."""
    if previous is None or not record:
        return
    files = {entry.split(": ", 1)[0] for entry in record.get("budget_exceeded") or ()}
    for module, row in list(previous.manifest.modules.items()):
        if row.get("file") in files:
            del previous.manifest.modules[module]


def _nothing_loaded(path: Path, problems: dict[str, str]) -> str:
    first = min(problems)
    return (f"{path}: none of its {len(problems)} Python files could be read and parsed, so "
            f"the store was left as it was (first: {first}: {problems[first]})")


def facts_cache_folder(graph, repo: str, database: str | None = None) -> Path:
    """Where a repository's facts cache lives: inside the embedded store's folder, else under
    the user's cache folder, one per Neo4j URI and database."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in repo)
    name = f"{safe}-{hashlib.sha256(repo.encode()).hexdigest()[:8]}"
    store_dir = getattr(graph, "dir", None)
    if isinstance(store_dir, Path):
        return store_dir / "facts-cache" / name
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha256(f"{graph.uri}\0{database or ''}".encode()).hexdigest()[:16]
    return home / "kg" / "facts" / key / name


def _load_record(graph, repo: str) -> dict | None:
    """The repository's Load node in the store, None before its first load."""
    try:
        loads = graph.loads()
    except StoreUnavailable:        # an empty store has no graph to read yet
        return None
    return next((r for r in loads if r.get("repo") == repo), None)


def _commit_cache(writer, extraction, previous, repo: str, source: str, stamp: str,
                  limits: str) -> None:
    """The new manifest: the fragments written now, the previous ones still valid, and the
    digest of the graph written."""
    if writer.broken:
        facts_cache.clear(writer.folder)
        return
    modules = {}
    for module, row in extraction.modules.items():
        name = writer.files.get(module)
        if name is None and previous is not None:
            name = previous.manifest.modules.get(module, {}).get("fragment")
        if name is None:
            facts_cache.clear(writer.folder)
            return
        modules[module] = {**row, "fragment": name}
    writer.commit(facts_cache.Manifest(repo=repo, source=source, load=stamp, modules=modules,
                                       names=extraction.names, limits=limits))


def query(cypher: str, params: dict | None = None, store: str | None = None,
          write: bool = False, database: str | None = None) -> QueryResult:
    if not cypher.strip():
        raise InputError("empty query")
    with open_store(store, database=database) as graph:
        return graph.query(cypher, params or {}, write=write)


CALLGRAPH_FORMATS = ("pycg", "json", "dot")
CALLGRAPH_SUFFIXES = {"pycg": ".json", "json": ".json", "dot": ".dot"}


def callgraph_names(sources) -> dict[str, Path]:
    """Each source tree under the name its call graph is exported as (the folder's name, as
    `kg load` names a repository), in the order given. Raises InputError when two share a
    name: written side by side, one graph would overwrite the other."""
    named: dict[str, Path] = {}
    for source in map(Path, sources):
        name = default_repo_name(source)
        if name in named:
            raise InputError(f"{named[name]} and {source} are both named {name!r}, so their "
                             f"call graphs would overwrite each other; export them separately")
        named[name] = source
    return named


def export_callgraph(store: str | None = None, repo: str | None = None, fmt: str = "pycg",
                     min_confidence: float = 0.0, database: str | None = None,
                     source: Path | None = None) -> str:
    """The call graph of one loaded repository as text: PyCG's JSON, kg's own JSON (every
    candidate with how it was resolved and its confidence), or Graphviz dot. With source, of
    that source tree analysed in memory instead (no store opened or written), as PyCG does;
    calls for several trees in one process give each the text it gets alone (the extraction
    forgets each tree), astroid's standard-library trees and builtins built once for all."""
    if fmt not in CALLGRAPH_FORMATS:
        raise InputError(f"unknown call graph format {fmt!r}; one of "
                         f"{', '.join(CALLGRAPH_FORMATS)}")
    if source is not None:
        name = repo or default_repo_name(Path(source))
        facts = extract(Path(source), name).facts
        edges = callgraph.edges_from_facts(facts)
        callers = callgraph.definitions_from_facts(facts)
    else:
        with open_store(store, database=database) as graph:
            name = _one_repository(graph, repo)["repo"]
            edges = callgraph.edges(graph, name)
            callers = callgraph.definitions(graph, name)
    if fmt == "json":
        chosen = [e.as_dict() for e in edges if e.confidence >= min_confidence]
        return json.dumps({"repo": name, "edges": chosen}, indent=2, sort_keys=True) + "\n"
    pycg = callgraph.to_pycg(edges, callers, min_confidence)
    if fmt == "dot":
        return callgraph.to_dot(pycg)
    return json.dumps(pycg, indent=2, sort_keys=True) + "\n"


def info(store: str | None = None, database: str | None = None) -> list[dict]:
    """The Load record of every repository in the store."""
    with open_store(store, database=database) as graph:
        loads = graph.loads()
    for load in loads:
        for key in ("counts", "file_hashes"):
            if isinstance(load.get(key), str):
                load[key] = json.loads(load[key])
    return loads


def git_commit(path: Path) -> str | None:
    """The commit checked out at path, read from .git without running git (hooks, fsmonitor)."""
    for folder in [path.resolve(), *path.resolve().parents]:
        git = folder / ".git"
        if git.is_file():  # a worktree or submodule: "gitdir: PATH"
            text = git.read_text(errors="replace").strip()
            if text.startswith("gitdir:"):
                git = (folder / text.split(":", 1)[1].strip()).resolve()
        if not git.is_dir():
            continue
        try:
            head = (git / "HEAD").read_text().strip()
        except OSError:
            return None
        if not head.startswith("ref:"):
            return head or None
        ref = head.split(":", 1)[1].strip()
        ref_file = git / ref
        if ref_file.is_file():
            return ref_file.read_text().strip() or None
        packed = git / "packed-refs"
        if packed.is_file():
            for line in packed.read_text().splitlines():
                if line.endswith(" " + ref):
                    return line.split()[0]
        return None
    return None


def audit(store: str | None = None, repo: str | None = None, rules_dirs: tuple = (),
          select: tuple[str, ...] = (), ignore: tuple[str, ...] = (), params: dict | None = None,
          baseline: set[str] | None = None, database: str | None = None) -> engine.Audit:
    """Run the bundled rules (and those in rules_dirs) on one loaded repository."""
    with open_store(store, database=database) as graph:
        # One generation for every rule, should a load switch the graph over meanwhile.
        return graph.consistently(lambda: _audit_on(graph, repo, rules_dirs, select, ignore,
                                                    params, baseline))[0]


def _audit_on(graph, repo, rules_dirs, select, ignore, params, baseline):
    from kg.rules import engine
    from kg.rules.config import find_config
    from kg.rules.rule import load_rules

    rules = load_rules(tuple(Path(d) for d in rules_dirs))
    load_record = _one_repository(graph, repo)
    config = find_config(Path(load_record["source"]))
    chosen = _choose(rules, select, ignore, config.disabled)
    return engine.run(graph, chosen, load_record["repo"], params={**config.params,
                      **(params or {})}, rule_params=config.rule_params,
                      severities=config.severities, baseline=baseline), load_record


def _one_repository(graph, repo: str | None) -> dict:
    loads = graph.loads()
    if repo is not None:
        for load_record in loads:
            if load_record["repo"] == repo:
                return load_record
        raise InputError(f"no repository {repo!r} in the store; loaded: "
                         f"{', '.join(r['repo'] for r in loads) or 'none'}")
    if not loads:
        raise InputError("the store holds no repository: run `kg load PATH` first")
    if len(loads) > 1:
        raise InputError("the store holds several repositories; choose one with --repo: "
                         + ", ".join(r["repo"] for r in loads))
    return loads[0]


def _choose(rules, select, ignore, disabled) -> list:
    known = {r.id for r in rules}
    for rule_id in (*select, *ignore):
        if rule_id not in known:
            raise InputError(f"unknown rule {rule_id!r}; `kg rules list` shows them")
    by_id = {r.id: r for r in rules}
    chosen = {r.id for r in rules if (not select or r.id in select) and r.id not in ignore
              and r.id not in disabled and r.kind == "constraint"}
    for rule_id in list(chosen):
        chosen.update(by_id[rule_id].requires)
    return [by_id[i] for i in sorted(chosen)]


@dataclass
class AuditReport:
    audit: engine.Audit
    text: str
    baseline_written: int | None = None


def audit_report(store: str | None = None, repo: str | None = None, rules_dirs: tuple = (),
                 select: tuple[str, ...] = (), ignore: tuple[str, ...] = (),
                 params: dict | None = None, baseline: str | Path | None = None,
                 update_baseline: bool = False, fmt: str = "md",
                 database: str | None = None) -> AuditReport:
    """Audit one repository and render the report; with update_baseline, accept its findings."""
    from kg.report import FORMATS, build, render
    from kg.report import baseline as baselines
    from kg.rules import engine

    if fmt not in FORMATS:
        raise InputError(f"unknown report format {fmt!r}; one of {', '.join(FORMATS)}")
    if update_baseline and baseline is None:
        raise InputError("--update-baseline needs --baseline FILE to write to")
    path = Path(baseline) if baseline is not None else None
    accepted = baselines.read(path) if path and (path.exists() or not update_baseline) \
        else set()
    def report(graph) -> AuditReport:
        result, load_record = _audit_on(graph, repo, rules_dirs, select, ignore, params,
                                        accepted)
        written = None
        if update_baseline:
            written = baselines.write(path, result.findings + result.baselined)
            result.baselined = sorted(result.findings + result.baselined,
                                      key=engine.Finding.sort_key)
            result.findings = []
        header = {"kg_version": __version__,
                  "generated": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                  "source": load_record["source"], "commit": load_record.get("commit"),
                  "loaded": load_record.get("finished")}
        text = render(build(graph, result, header), fmt)
        return AuditReport(audit=result, text=text, baseline_written=written)

    with open_store(store, database=database) as graph:
        # The rules and the report read one generation, should a load switch over meanwhile.
        return graph.consistently(lambda: report(graph))


def rules(rules_dirs: tuple = ()) -> list[Rule]:
    """The bundled rules and those in rules_dirs, by id."""
    from kg.rules.rule import load_rules

    return load_rules(tuple(Path(d) for d in rules_dirs))


def rule(rule_id: str, rules_dirs: tuple = ()) -> Rule:
    for found in rules(rules_dirs):
        if found.id == rule_id:
            return found
    raise InputError(f"unknown rule {rule_id!r}; `kg rules list` shows them")


def check_rules(folder: str | Path) -> list[fixtures.RuleCheck]:
    """Run each rule in folder on its annotated fixture folder/<id>/, in a throwaway store."""
    from kg.rules import fixtures

    folder = Path(folder)
    own = [r for r in rules((folder,)) if r.path.parent == folder and r.kind == "constraint"]
    if not own:
        raise InputError(f"{folder}: no rule files (*.yaml) to test")
    checks = []
    for tested in own:
        fixture = folder / tested.id
        if not fixture.is_dir():
            checks.append(fixtures.RuleCheck(tested.id, str(fixture),
                                             problem=f"no fixture folder {fixture}"))
            continue
        with tempfile.TemporaryDirectory(prefix="kg-rule-test-") as tmp:
            load(fixture, store=tmp, repo=tested.id)
            found = audit(store=tmp, repo=tested.id, rules_dirs=(folder,), select=(tested.id,))
        checks.append(fixtures.check(tested.id, fixture, fixtures.annotations(fixture, tested.id),
                                     {(f.file, f.line) for f in found.findings}))
    return checks


@dataclass
class DiagramResult:
    """A diagram's DOT, the files written, the lines to print, and a rendering error if any."""

    diagram: object
    dot: str
    lines: list[str]
    written: list[str] = field(default_factory=list)
    error: KgError | None = None


def diagram_path(entry: str, to: str | None = None, sinks: str | None = None,
                 depth: int | None = None, hops: bool = True,
                 max_nodes: int = path_diagrams.DEFAULT_MAX_NODES,
                 output: str | Path | None = None, store: str | None = None,
                 repo: str | None = None, database: str | None = None) -> DiagramResult:
    """What a command (or function) runs, to its sinks, with its modules, functions, lines."""
    with open_store(store, database=database) as graph:
        name = _one_repository(graph, repo)["repo"]
        built = path_diagrams.build(graph, name, entry, to=to, sinks=sinks, depth=depth,
                                    hops=hops, max_nodes=max_nodes)
    return _diagram_written(built, built.dot, [built.totals_line()], output)


def diagram_imports(package: str | None = None, collapse: int | None = None,
                    max_nodes: int = import_diagrams.DEFAULT_MAX_NODES,
                    output: str | Path | None = None, store: str | None = None,
                    repo: str | None = None, database: str | None = None) -> DiagramResult:
    """The module import graph with its cycles."""
    with open_store(store, database=database) as graph:
        name = _one_repository(graph, repo)["repo"]
        built = import_diagrams.build(graph, name, package=package, collapse=collapse,
                                      max_nodes=max_nodes)
    lines = [f"modules {built.modules}, import cycles {len(built.cycles)}"]
    lines += ["cycle: " + " <-> ".join(cycle) for cycle in built.cycles]
    return _diagram_written(built, built.dot, lines, output)


def diagram_class(qualname: str, output: str | Path | None = None, store: str | None = None,
                  repo: str | None = None, database: str | None = None) -> DiagramResult:
    """One class: fields set and never set, methods, bases and subclasses."""
    with open_store(store, database=database) as graph:
        name = _one_repository(graph, repo)["repo"]
        built = class_diagrams.build(graph, name, qualname)
    lines = [f"fields set: {', '.join(built.fields_set) or '-'}",
             f"fields never set: {', '.join(built.fields_never_set) or '-'}"]
    return _diagram_written(built, built.dot, lines, output)


def _diagram_written(built, dot: str, lines: list[str], output) -> DiagramResult:
    result = DiagramResult(diagram=built, dot=dot, lines=lines)
    if output is not None:
        try:
            result.written = [str(p) for p in diagram_render.write(dot, output)]
        except diagram_render.RendererMissing as missing:
            result.written = [str(Path(output).with_suffix(".dot"))]
            result.error = missing
    return result
