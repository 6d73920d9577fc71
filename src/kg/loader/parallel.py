"""Extracting modules in several processes.

The parent parses every module and registers every definition once; workers
are forked after that, so each starts with the whole project's trees and ids
(astroid trees cannot be pickled cheaply, and re-parsing them per worker would
cost each worker the whole parse). With N jobs the parent and N-1 workers each
take the next module in turn and extract it into a fragment (fragments.py); a
worker's travels back pickled. The parent merges them in module order, so the
graph is the one a single process makes.
Until then a fragment stays as the bytes it came in (`Packed`): unpickled, the
fragments of a large project take several times their pickled size, and the
parent would hold them all, beside the trees, while the workers run.

Modules are taken largest first, one at a time, so a process that drew a
small module takes the next one and none is left with a big one at the end. The weight of a module is its CPU seconds in the previous load when the
facts cache knows it, else its number of lines.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from kg.loader import heap
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
                    progress: Callable[[int], None] | None = None) -> list[Fragment | Packed]:
    """The fragments of the given modules, in the contexts' order (`unpacked` gives each)."""
    if workers <= 1 or len(contexts) < 2 or not _can_fork():
        out = []
        for done, ctx in enumerate(contexts, 1):
            out.append(extract_module(ctx, steps, strict))
            if progress:
                progress(done)
        return out
    by_module = {c.module_name: c for c in contexts}
    order = sorted(by_module, key=lambda m: (-_weight(by_module[m], weights), m))
    found: dict[str, Fragment | Packed] = {}
    for done, sent in enumerate(_shared(by_module, order, steps, strict, workers), 1):
        if isinstance(sent, Fragment):
            found[sent.module] = sent
        else:
            module, bound, data = sent
            found[module] = Packed(module, bound, data, by_module)
        if progress:
            progress(done)
    return [found[c.module_name] for c in contexts]


@dataclass
class Packed:
    """A fragment as a worker sent it, unpickled when it is merged."""

    module: str
    process_bound: tuple[str, ...]
    data: bytes
    contexts: dict[str, ModuleContext]      # where the nodes it names are found

    def unpack(self) -> Fragment:
        return loads(self.data, self.contexts)


def unpacked(fragment: Fragment | Packed) -> Fragment:
    return fragment.unpack() if isinstance(fragment, Packed) else fragment


def _shared(by_module, order, steps, strict, workers) -> Iterator[Fragment | tuple]:
    """Fragments as they are made, by the parent and workers-1 forked processes taking the
    next module of `order` in turn: the parent would otherwise sit idle, and each process
    less is one copy less of what extracting builds (stdlib trees, caches); the parent's
    own fragments need no pickling either."""
    context = multiprocessing.get_context("fork")
    taken = context.Value("i", 0)
    _work.update(contexts=by_module, order=order, steps=steps, strict=strict, taken=taken)
    # A worker's cyclic collections would traverse the inherited heap (the project's trees),
    # writing to every object's header and so copying every page of it into the worker:
    # frozen, the inherited objects are never traversed there, and stay shared with the parent.
    owner = heap.freeze()
    try:
        with context.Pool(min(workers, len(order)) - 1) as pool:
            sent = pool.imap_unordered(_extract_next, range(len(order)), chunksize=1)
            while (module := _take(taken, order)) is not None:
                yield extract_module(by_module[module], steps, strict)
                yield from _arrived(sent)
            yield from (item for item in sent if item is not None)
    finally:
        heap.thaw(owner)    # within a load's extraction, the extraction's own thaw (heap.py)
        _work.clear()


def _take(taken, order: list[str]) -> str | None:
    """The next module nobody has taken yet, None when every one has been."""
    with taken.get_lock():
        index = taken.value
        if index >= len(order):
            return None
        taken.value = index + 1
    return order[index]


def _arrived(sent) -> Iterator[tuple | Fragment]:
    """What the workers have sent so far, without waiting for more."""
    while True:
        try:
            item = sent.next(timeout=0)
        except (multiprocessing.TimeoutError, StopIteration):
            return
        if item is not None:
            yield item


def _extract_next(_task: int) -> tuple[str, tuple[str, ...], bytes] | Fragment | None:
    """In a worker: the next module's fragment pickled with its nodes located; one saying
    what is process-bound when its contributions cannot be located (the parent then
    extracts everything itself); None when no module is left."""
    module = _take(_work["taken"], _work["order"])
    if module is None:
        return None
    ctx = _work["contexts"][module]
    fragment = extract_module(ctx, _work["steps"], _work["strict"])
    ctx.forget()        # this process extracts no module twice
    try:
        return module, fragment.process_bound, dumps(fragment, ctx.project)
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
