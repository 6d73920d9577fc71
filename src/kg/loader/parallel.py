"""Extracting modules in several processes.

The parent parses every module and registers every definition once; workers
are forked after that, so each starts with the whole project's trees and ids
(astroid trees cannot be pickled cheaply, and re-parsing them per worker would
cost each worker the whole parse). Each worker extracts the modules it is
handed into fragments (fragments.py), which travel back pickled; the parent
merges them in module order, so the graph is the one a single process makes.

Modules are handed out largest first, one at a time, so a worker that drew a
small module takes the next one and no worker is left with the big one at the
end. The weight of a module is its CPU seconds in the previous load when the
facts cache knows it, else its number of lines.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator

from kg.loader.context import ModuleContext
from kg.loader.fragments import Fragment, Step, Unrelocatable, dumps, extract_module, loads

# With jobs left to kg, a project this small is extracted in-process: forking and
# pickling cost more than the second core saves.
AUTO_MIN_LINES = 5000

_work: dict = {}     # what a forked worker extracts from: set before the fork, read after


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:          # not on Linux
        return os.cpu_count() or 1


def workers_for(contexts: list[ModuleContext], jobs: int | None) -> int:
    """jobs as asked; None: every core, but one process for a small project."""
    if jobs is not None:
        return max(1, jobs)
    lines = sum((c.parsed.text or "").count("\n") for c in contexts)
    return cores() if lines >= AUTO_MIN_LINES else 1


def extract_modules(contexts: list[ModuleContext], steps: tuple[Step, ...], strict: bool,
                    workers: int, weights: dict[str, float] | None = None,
                    progress: Callable[[int], None] | None = None) -> list[Fragment]:
    """The fragments of the given modules, in the contexts' order."""
    if workers <= 1 or len(contexts) < 2 or not _can_fork():
        out = []
        for done, ctx in enumerate(contexts, 1):
            out.append(extract_module(ctx, steps, strict))
            if progress:
                progress(done)
        return out
    by_module = {c.module_name: c for c in contexts}
    order = sorted(by_module, key=lambda m: (-_weight(by_module[m], weights), m))
    found: dict[str, Fragment] = {}
    for done, data in enumerate(_forked(by_module, order, steps, strict, workers), 1):
        fragment = loads(data, by_module) if isinstance(data, bytes) else data
        found[fragment.module] = fragment
        if progress:
            progress(done)
    return [found[c.module_name] for c in contexts]


def _forked(by_module, order, steps, strict, workers) -> Iterator[Fragment]:
    _work.update(contexts=by_module, steps=steps, strict=strict)
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(min(workers, len(order))) as pool:
            yield from pool.imap_unordered(_extract_one, order, chunksize=1)
    finally:
        _work.clear()


def _extract_one(module: str) -> bytes | Fragment:
    """The fragment pickled with its nodes located; one saying what is process-bound when
    its contributions cannot be located (the parent then extracts everything itself)."""
    ctx = _work["contexts"][module]
    fragment = extract_module(ctx, _work["steps"], _work["strict"])
    try:
        return dumps(fragment, ctx.project)
    except Unrelocatable as e:
        fragment.pending = {}
        fragment.process_bound = (*fragment.process_bound, f"unrelocatable: {e}")
        return fragment


def _weight(ctx: ModuleContext, weights: dict[str, float] | None) -> float:
    if weights and ctx.module_name in weights:
        return weights[ctx.module_name] * 1e6
    return float((ctx.parsed.text or "").count("\n"))


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()
