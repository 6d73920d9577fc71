"""The call walk: what a command actually runs, breadth first from the entry, one query per level.

`kg diagram path` draws it and the audit report's entry-point footprints count it
(both with kg.queries.totals), so the two always give the same numbers. It is not
REACHES (kg.loader.reach), which also follows imports and decorator registration
to tell whether code can run at all.

From a Function it follows CALLS to functions and classes, non-annotation
REFERENCES to functions (a callback is assumed called) and SPAWNS; from
module-level code (an entry that is a main block, or a hop into a module)
CALLS and SPAWNS. Calls of stdlib or third-party symbols that do I/O
(External `io`: write, read, subprocess, network) are kept as the path's
sinks; other external calls are left out. A hop into a module lands on its
module-level code (its main block calls on); a hop into a console-script
command lands where that command starts (kg.queries.entry).

`depth` bounds the hops from the entry (a subprocess hop counts as one); the
I/O calls of the functions at the last level are still kept: they are part
of those functions.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field

from kg.queries import paths, totals
from kg.queries.entry import EntryPoints
from kg.queries.store import Store

CALL, REFERENCE, SPAWN, IO = "call", "reference", "spawn", "io"
RUNNABLE = ("Function", "Module")


@dataclass(frozen=True, order=True)
class Step:
    src: str
    dst: str
    kind: str
    line: int
    command: str = ""
    target: str = ""                    # a hop's SPAWNS target: the Module or EntryPoint


@dataclass
class Walked:
    roots: list[str]
    labels: dict[str, str]              # node id -> Function, Module, Class or External
    steps: list[Step]
    info: dict[str, dict] = field(default_factory=dict)   # node id -> name, module, loc, ...
    nested_in: dict[str, str] = field(default_factory=dict)

    def reached(self, hops: bool, depth: int | None) -> set[str]:
        """Nodes within depth of the roots; across subprocess hops only if hops."""
        return self.reached_from(self.roots, hops, depth)

    def reached_from(self, starts: list[str], hops: bool, depth: int | None = None) -> set[str]:
        out_steps: dict[str, list[Step]] = {}
        for step in self.steps:
            if hops or step.kind != SPAWN:
                out_steps.setdefault(step.src, []).append(step)
        dist = {start: 0 for start in starts}
        queue = deque(starts)
        while queue:
            node = queue.popleft()
            for step in out_steps.get(node, ()):
                if step.dst in dist:
                    continue
                if step.kind == IO:
                    dist[step.dst] = dist[node]
                elif depth is None or dist[node] < depth:
                    dist[step.dst] = dist[node] + 1
                    queue.append(step.dst)
        return set(dist)

    def hops_from(self, nodes: set[str]) -> list[Step]:
        """The subprocess hops the nodes make, one step per SPAWNS target."""
        found = {(s.src, s.line, s.target): s for s in self.steps
                 if s.kind == SPAWN and s.src in nodes}
        return [found[key] for key in sorted(found)]

    @property
    def functions(self) -> dict[str, dict]:
        return {n: self.info[n] for n, label in self.labels.items() if label == "Function"}

    def totals(self, nodes: set[str]) -> totals.Totals:
        return totals.count(nodes, self.functions, self.nested_in)

    def by_module(self, nodes: set[str]) -> list[totals.ModuleCost]:
        return totals.by_module(nodes, self.functions, self.nested_in)


def walk(store: Store, roots: dict[str, str], entry_points: EntryPoints,
         depth: int | None) -> Walked:
    labels = dict(roots)
    level = dict(roots)
    steps: set[Step] = set()
    done = 0
    while level:
        last = depth is not None and done >= depth
        found = _steps_from(store, level, entry_points)
        level = {}
        for step, label in found:
            if last and label != "External":
                continue
            steps.add(step)
            if step.dst not in labels:
                labels[step.dst] = label
                if label in RUNNABLE:
                    level[step.dst] = label
        if last:
            break
        done += 1
    walked = Walked(roots=sorted(roots), labels=labels, steps=sorted(steps))
    walked.info = _details(store, labels)
    walked.nested_in = _nested_in(store, labels)
    return walked


def _steps_from(store: Store, level: dict[str, str], entry_points: EntryPoints):
    found: list[tuple[Step, str]] = []
    for caller in RUNNABLE:
        ids = sorted(i for i, label in level.items() if label == caller)
        if not ids:
            continue
        for row in paths.calls_from(store, ids, caller):
            kind = IO if row["dst_label"] == "External" else CALL
            found.append((Step(row["src"], row["dst"], kind, row["line"]), row["dst_label"]))
        if caller == "Function":
            found += [(Step(row["src"], row["dst"], REFERENCE, row["line"]), row["dst_label"])
                      for row in paths.references_from(store, ids)]
        for row in paths.spawns_from(store, ids, caller):
            found += _hop(row, entry_points)
    return sorted(found)


def _hop(row: dict, entry_points: EntryPoints) -> list[tuple[Step, str]]:
    """A subprocess hop lands on a module's code, or where a command starts."""
    if row["dst_label"] == "Module":
        targets = {row["dst"]: "Module"}
    else:
        targets = entry_points.roots([entry_points.by_id[row["dst"]]])
    return [(Step(row["src"], dst, SPAWN, row["line"], row["command"], row["dst"]), label)
            for dst, label in targets.items()]


def _details(store: Store, labels: dict[str, str]) -> dict[str, dict]:
    """Names, places and sizes of the walked nodes, each with its label."""
    by_label: dict[str, list[str]] = defaultdict(list)
    for node, label in labels.items():
        by_label[label].append(node)
    info = {}
    for label, ids in sorted(by_label.items()):
        for row in paths.details(store, label, sorted(ids)):
            info[row["id"]] = {**row, "label": label}
    return info


def _nested_in(store: Store, labels: dict[str, str]) -> dict[str, str]:
    functions = sorted(n for n, label in labels.items() if label == "Function")
    return {row["dst"]: row["src"] for row in paths.nested_from(store, functions)}
