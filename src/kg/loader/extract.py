"""The loader's pipeline: discover, parse, register definitions, run each extraction step.

Each module is extracted into a fragment of its own (fragments.py), in this
process or in forked workers (parallel.py), or kept from the previous load's
facts cache when nothing it depends on changed (incremental.py); the
fragments are merged in module order and the project-wide steps run on the
merged facts, so every way of loading gives the same graph."""

from __future__ import annotations

import gc
import pickle
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.loader import (
    ancestry,
    calls,
    classes,
    clones,
    entrypoints,
    heap,
    imports,
    incremental,
    inference_cache,
    parallel,
    parse,
    phases,
    reach,
    spawns,
    structure,
    target_imports,
)
from kg.loader.context import ModuleContext, Project
from kg.loader.discover import discover
from kg.loader.facts_cache import Previous
from kg.loader.fragments import Fragment, Unrelocatable, merge
from kg.loader.limits import Limits
from kg.model.facts import Facts

# Each step sees one module at a time; all definitions of the project are registered first.
STEPS = (structure.extract, classes.extract, calls.extract, imports.extract,
         entrypoints.extract, spawns.extract, clones.extract)


@dataclass
class Extraction:
    facts: Facts
    files: int
    parse_errors: dict[str, str]            # relative file -> message
    file_hashes: dict[str, str]             # relative file -> sha256
    step_errors: dict[str, str] = field(default_factory=dict)   # file -> first internal error
    seconds: float = 0.0
    incremental: bool = False               # fragments of unchanged modules were reused
    reextracted: int = 0                    # modules extracted by this load
    workers: int = 1                        # processes that extracted them
    fragments: list[Fragment] = field(default_factory=list)   # extracted now, until merged
    modules: dict[str, dict] = field(default_factory=dict)    # module -> {file, sha256, seconds}
    names: dict[str, str] = field(default_factory=dict)       # incremental.signature
    warnings: list[str] = field(default_factory=list)
    timings: phases.Timings = field(default_factory=phases.Timings)    # phases.py


Progress = Callable[[str, int, int], None]   # (phase, done, total)


def extract(root: Path, repo: str, exclude: tuple[str, ...] = (),
            progress: Progress | None = None, strict: bool = False, jobs: int | None = 1,
            previous: Previous | None = None,
            on_fragment: Callable[[Fragment, Project, bytes | None], None] | None = None,
            limits: Limits | None = None) -> Extraction:
    """The facts of the source tree at root. Raises InputError when it holds no Python.

    jobs: processes extracting modules (None: every core, one for a small project).
    previous: the facts cache of the last load; the modules incremental.py finds
    unaffected by what changed keep their facts from it. on_fragment sees each module's
    newly extracted fragment (to cache it), with its pickled bytes when a worker sent it
    so. limits: file size and inference budget."""
    with inference_cache.kept(), target_imports.resolved(), rarer_collections():
        return _extract(Path(root), repo, exclude, progress, strict, jobs, previous,
                        on_fragment, limits or Limits())


# A load allocates millions of long-lived astroid nodes, and Python's default thresholds
# start a cyclic collection every 700 allocations, each older generation traversing more
# of that heap as it grows: 40% of rich's extraction CPU, more on larger projects. Rarer
# young collections keep the cycles collected (peak memory about the same) at a fraction
# of the cost.
GC_THRESHOLDS = (100_000, 20, 100)


@contextmanager
def rarer_collections():
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _frozen(parse_all: Callable, *args):
    """parse_all(*args) with no collection meanwhile, and what it built then frozen
    (gc.freeze): the trees, millions of objects and next to no garbage, are not traversed
    again by each collection the extraction triggers (sympy's reload: 2.7 CPU s of
    collections in the parse, 1.2 s in reading the kept fragments; `kg load` 28.0 -> 24.8
    CPU s; the full load's CPU about the same, its peak memory +60 MB). _extract unfreezes
    them when it ends (heap.py: never what a caller froze); in-process, the full collection
    that then frees them comes later, not right after the extraction (5 CPU s on sympy, which a
    forked load never pays: its child exits). Returns what parse_all did, and whether the
    freeze owns the thaw."""
    with _no_collection():
        parsed = parse_all(*args)
        return parsed, heap.freeze()


@contextmanager
def _no_collection() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _merged(fragments: Iterator[Fragment], project: Project) -> None:
    """The fragments merged into the project's facts with no collection meanwhile, and the
    facts then frozen (nested in the parse's freeze, thawed with it). Merging makes hundreds
    of thousands of rows and next to no garbage; a worker's fragments are new objects of
    this process, so each young collection the project-wide steps trigger afterwards would
    traverse them all again (django with `--jobs 2`: reachability 0.26 -> 0.95 CPU s, one
    collection of the middle generation)."""
    with _no_collection():
        merge(fragments, project.facts, project)
        heap.freeze()


def _extract(root: Path, repo: str, exclude: tuple[str, ...], progress: Progress | None,
             strict: bool, jobs: int | None, previous: Previous | None,
             on_fragment: Callable[[Fragment, Project, bytes | None], None] | None,
             limits: Limits) -> Extraction:
    started = time.perf_counter()
    timings = phases.Timings()
    with timings.timed("discover"):
        files = discover(root, exclude)
    if not files:
        raise InputError(f"{root}: no Python files found")
    with timings.timed("parse"):
        parsed, owner = _frozen(parse.parse, files, limits)
    try:
        with ancestry.remembered():     # not while parsing: builds still add to the trees
            with timings.timed("register"):
                project = Project(repo=repo, modules={p.source.module: p for p in parsed},
                                  limits=limits)
                contexts = []
                for p in project.trees():
                    ctx = ModuleContext(project, p)
                    structure.register_definitions(ctx)
                    contexts.append(ctx)
                for p in parsed:
                    if p.tree is None:
                        structure.add_unparsed_module(project, p)
                names = incremental.signature(project, contexts[0] if contexts else None)
            out = Extraction(facts=project.facts, files=len(files),
                             parse_errors={p.source.rel: p.error for p in parsed if p.error},
                             file_hashes={p.source.rel: p.sha256 for p in parsed}, names=names,
                             timings=timings)
            fragments = _fragments(project, contexts, jobs, previous, strict, progress, out)
            new = {f.module for f in out.fragments} if on_fragment else set()
            out.fragments = []      # merged below, then dropped: the store write needs the memory
            with timings.timed("merge"):
                _merged(_one_by_one(fragments, new, on_fragment, project, out), project)
                del fragments
            with timings.timed("calls"):
                calls.extract_project(project)
                entrypoints.extract_project(project, root)
            with timings.timed("clones"):
                clones.extract_project(project)
            with timings.timed("reach"):
                reach.extract_project(project.facts)
                project.facts.drop_dangling_edges()
    finally:
        heap.thaw(owner)    # the trees can be collected again, once let go
        parse.forget(parsed)
        inference_cache.release()
    out.seconds = time.perf_counter() - started
    return out


def _one_by_one(fragments: list, new: set[str],
                on_fragment: Callable[[Fragment, Project, bytes | None], None] | None,
                project: Project,
                out: Extraction) -> Iterator[Fragment]:
    """Each fragment in module order, a worker's unpickled only now, none kept once merged:
    all of a large project's at once take as much memory as the merged facts."""
    for index, packed in enumerate(fragments):
        fragments[index] = None
        fragment = parallel.unpacked(packed)
        if fragment.module in new:      # a worker's comes pickled as the cache keeps it
            on_fragment(fragment, project,
                        packed.data if isinstance(packed, parallel.Packed) else None)
        out.modules[fragment.module] = {"file": fragment.file, "sha256": fragment.sha256,
                                        "seconds": round(fragment.seconds, 4),
                                        "imports": fragment.imports,
                                        "binds": fragment.binds, "through": fragment.through}
        if fragment.step_error:
            out.step_errors[fragment.file] = fragment.step_error
        yield fragment


def _fragments(project: Project, contexts: list[ModuleContext], jobs: int | None,
               previous: Previous | None, strict: bool, progress: Progress | None,
               out: Extraction) -> list[Fragment]:
    """Every parsed module's fragment, in module order: extracted now, or kept from previous."""
    chosen = contexts
    if previous is not None:
        before = {m: row for m, row in previous.manifest.modules.items()}
        kept = {m for m in before if m in project.modules}
        names_of = {m: before[m] for m in kept
                    if before[m]["sha256"] == project.modules[m].sha256}
        with out.timings.timed("choose"):
            wanted = incremental.to_extract(
                project, previous.hashes(), names_of,
                incremental.changed_names(previous.manifest.names, out.names))
        chosen = [c for c in contexts if c.module_name in wanted]
        out.incremental = True
    out.workers = parallel.workers_for(chosen, jobs)
    report = (lambda done: progress("extract", done, len(chosen))) if progress else None
    weights = previous.weights() if previous is not None else None
    with out.timings.timed("extract", workers=True):
        made = parallel.extract_modules(chosen, STEPS, strict, out.workers, weights, report)
    bound = sorted({key for f in made for key in f.process_bound})
    if bound and (out.workers > 1 or len(chosen) < len(contexts)):
        # Step data that cannot leave its process: extract everything here, in one pass.
        out.warnings.append(f"extracted in one process without reuse: the steps keep "
                            f"{', '.join(bound)} for the project-wide steps")
        for key in bound:
            project.pending.pop(key, None)
        chosen, out.workers, out.incremental = contexts, 1, False
        with out.timings.timed("extract", workers=True):
            made = parallel.extract_modules(contexts, STEPS, strict, 1, None, report)
    out.fragments, out.reextracted = made, len(made)
    by_module = {f.module: f for f in made}
    if previous is None:
        return [by_module[c.module_name] for c in contexts]
    try:
        with out.timings.timed("kept fragments"):
            kept = _kept(previous, contexts, by_module)
    except KEPT_UNREADABLE as e:
        # A kept fragment that does not fit its module's tree means the incremental rule
        # missed a dependency, and a damaged file is no better: extracting the remaining
        # modules costs a full load's time but never gives a wrong graph.
        out.warnings.append(f"the facts cache could not be reused ({type(e).__name__}: {e}); "
                            f"every module was extracted again")
        rest = [c for c in contexts if c.module_name not in by_module]
        with out.timings.timed("extract", workers=True):
            more = parallel.extract_modules(rest, STEPS, strict, out.workers, None, report)
        out.fragments, out.reextracted = made + more, len(made) + len(more)
        out.incremental = False
        by_module.update((f.module, f) for f in more)
        kept = [by_module[c.module_name] for c in contexts]
    return kept


# what reading a kept fragment back may raise: it is not the tree's, or the file is damaged
KEPT_UNREADABLE = (Unrelocatable, OSError, EOFError, pickle.UnpicklingError, AttributeError,
                   ImportError, IndexError, KeyError, TypeError, ValueError)


def _kept(previous: Previous, contexts: list[ModuleContext],
          by_module: dict[str, Fragment]) -> list[Fragment]:
    everyone = {c.module_name: c for c in contexts}
    return [by_module.get(c.module_name) or previous.fragment(c.module_name, everyone)
            for c in contexts]
