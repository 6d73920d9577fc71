"""REACHES and `reach`: which code a run of the project can get to, derived from the facts.

This walk answers *can this code run at all?* (rules and the report's module table read
it). *What does this command actually run?* is the call walk in kg.queries.walk, which
`kg diagram path` and the report's entry-point footprints share.

Run once after every other step, on the facts alone (no astroid). A breadth-first
walk from each EntryPoint follows what makes code run:

- ENTERS (a command's function, a main block's module);
- CALLS and non-annotation REFERENCES (a function passed as a value is assumed called);
- a function or class makes its module run (it cannot be called without importing it);
  a module runs its IMPORTS (not those under TYPE_CHECKING) and its parent packages;
- a module runs the functions it registers with a decorator call (`@app.route(...)`,
  `@atexit.register`): their decorators are the only callers kg can see;
- a class that is reached reaches its base classes and the methods Python calls for it
  (dunders, properties, decorated methods such as validators); a method reached reaches
  the same-named methods of local subclasses (dynamic dispatch);
- a function reaches the functions and classes defined inside it;
- SPAWNS: a subprocess hop into a module (with its main block) or a console-script command.
  Hops are taken only after every in-process path: `via_subprocess` is true when the
  project's own code cannot get there without starting a process.

Each EntryPoint REACHES every Function and Module it gets to, with the walk's `depth`.
Every Function and Module gets `reach`: "entry" (some non-test entry point reaches it),
"test" (only test code does: test modules and every function in them are roots), or
"none"; and `reach_path`, the evidence: the entry point's name, then the qualified names
along the shortest path (from the first entry point by id among the nearest ones).
Everything is sorted, so the same facts give the same edges and paths.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field

from kg.model.facts import Facts

IMPLICIT_DECORATORS = frozenset({"staticmethod", "classmethod", "abstractmethod", "override",
                                 "overload", "wraps"})
ENTRY, TEST, NONE = "entry", "test", "none"


@dataclass
class Walk:
    """What a breadth-first walk found: node -> (depth, via_subprocess, parent)."""

    seen: dict[str, tuple[int, bool, str | None]] = field(default_factory=dict)

    def path(self, node: str) -> list[str]:
        out = []
        while node is not None:
            out.append(node)
            node = self.seen[node][2]
        return out[::-1]


class Graph:
    """The hops of the walk, built once from the facts; neighbours sorted."""

    def __init__(self, facts: Facts):
        self.facts = facts
        self.hops: dict[str, set[str]] = defaultdict(set)
        self.spawns: dict[str, set[str]] = defaultdict(set)
        self.names: dict[str, str] = {}
        self._names()
        self._build()
        self.next = {k: sorted(v) for k, v in self.hops.items()}
        self.next_spawn = {k: sorted(v) for k, v in self.spawns.items()}

    def _names(self) -> None:
        for label, key in (("Function", "qualname"), ("Class", "qualname"), ("Module", "name")):
            for kg_id, row in self.facts.nodes[label].items():
                self.names[kg_id] = row.get(key) or kg_id
        for kg_id, row in self.facts.nodes["EntryPoint"].items():
            self.names[kg_id] = row.get("name") or kg_id

    def _build(self) -> None:
        facts = self.facts
        modules = {row["name"]: kg_id for kg_id, row in facts.nodes["Module"].items()}
        enters: dict[str, list[str]] = defaultdict(list)
        contains: dict[str, list[tuple[str, str]]] = defaultdict(list)
        subclasses: dict[str, list[str]] = defaultdict(list)
        spawn_sites: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for e in facts.edges:
            if e.type in ("CALLS", "REFERENCES") and e.dst_label in ("Function", "Class"):
                if e.type == "REFERENCES" and (e.prop("in_annotation") or
                                               e.prop("kind") == "annotation"):
                    continue
                self.hops[e.src].add(e.dst)
            elif e.type == "IMPORTS" and e.dst_label == "Module" \
                    and not e.prop("type_checking"):
                self.hops[e.src].add(e.dst)
            elif e.type == "ENTERS":
                enters[e.src].append(e.dst)
            elif e.type == "CONTAINS":
                contains[e.src].append((e.dst_label, e.dst))
            elif e.type == "INHERITS" and e.dst_label == "Class":
                self.hops[e.src].add(e.dst)
                subclasses[e.dst].append(e.src)
            elif e.type == "SPAWNS":
                spawn_sites[e.src].append((e.dst_label, e.dst))
        self.enters = {k: sorted(set(v)) for k, v in enters.items()}
        for label in ("Function", "Class"):
            for kg_id, row in facts.nodes[label].items():
                module = modules.get(row.get("module"))
                if module is not None:
                    self.hops[kg_id].add(module)
        for name, kg_id in modules.items():
            parent = name.rpartition(".")[0]
            if parent in modules:
                self.hops[kg_id].add(modules[parent])
        self._definitions(contains)
        self._overrides(contains, subclasses)
        self._spawns(contains, spawn_sites, modules)

    def _definitions(self, contains) -> None:
        functions = self.facts.nodes["Function"]
        for src, children in contains.items():
            for label, child in children:
                if label not in ("Function", "Class"):
                    continue
                if src in functions:
                    self.hops[src].add(child)          # nested definitions
                elif label == "Function" and _called_implicitly(functions.get(child), src,
                                                                self.facts):
                    self.hops[src].add(child)

    def _overrides(self, contains, subclasses) -> None:
        methods = {cls: {self.facts.nodes["Function"][f]["name"]: f
                         for label, f in children if label == "Function"}
                   for cls, children in contains.items() if cls in self.facts.nodes["Class"]}
        for base, own in methods.items():
            for sub in _descendants(base, subclasses):
                for name, method in own.items():
                    override = methods.get(sub, {}).get(name)
                    if override is not None:
                        self.hops[method].add(override)

    def _spawns(self, contains, spawn_sites, modules) -> None:
        for src, children in contains.items():
            for label, site in children:
                if label != "CallSite":
                    continue
                for dst_label, dst in spawn_sites.get(site, ()):
                    self.spawns[src].add(dst)
                    if dst_label == "EntryPoint":
                        self.spawns[src].update(self.enters.get(dst, ()))
        # a module run as a program runs its main block (or a package its __main__)
        for ep, targets in self.enters.items():
            kind = self.facts.nodes["EntryPoint"][ep].get("kind")
            if kind in ("main_block", "module_exec"):
                for module in targets:
                    if module in self.facts.nodes["Module"]:
                        self.spawns[module].update(t for t in targets if t != module)

    def walk(self, roots: list[str]) -> Walk:
        """Breadth first; subprocess hops only once the in-process frontier is exhausted."""
        walk = Walk()
        queue = deque((r, 0, None) for r in roots)
        deferred: list[tuple[str, int, str]] = []
        via = False
        while queue or deferred:
            if not queue:
                via = True
                queue.extend(deferred)
                deferred = []
                continue
            node, depth, parent = queue.popleft()
            if node in walk.seen:
                continue
            walk.seen[node] = (depth, via, parent)
            for nxt in self.next.get(node, ()):
                if nxt not in walk.seen:
                    queue.append((nxt, depth + 1, node))
            for nxt in self.next_spawn.get(node, ()):
                if nxt not in walk.seen:
                    deferred.append((nxt, depth + 1, node))
        return walk


def extract_project(facts: Facts) -> None:
    """Add REACHES edges and the `reach`, `reach_path` properties of Functions and Modules."""
    graph = Graph(facts)
    test_files = {row["file"] for row in facts.nodes["Module"].values() if row.get("is_test")}
    functions = facts.nodes["Function"]
    targets = set(functions) | set(facts.nodes["Module"])
    best: dict[str, tuple[bool, int, str]] = {}       # node -> (via, depth, entry point)
    walks: dict[tuple[str, ...], Walk] = {}           # entry points entering the same code
    test_roots: list[str] = []
    for ep in sorted(facts.nodes["EntryPoint"]):
        roots = tuple(graph.enters.get(ep, ()))
        if facts.nodes["EntryPoint"][ep].get("file") in test_files:
            test_roots.extend(roots)
            continue
        if roots not in walks:
            walks[roots] = graph.walk(list(roots))
        walk = walks[roots]
        for node in sorted(walk.seen.keys() & targets):
            depth, via, _ = walk.seen[node]
            facts.add_edge("REACHES", "EntryPoint", ep,
                           "Function" if node in functions else "Module", node,
                           depth=depth, via_subprocess=via)
            if node not in best or (via, depth) < best[node][:2]:
                best[node] = (via, depth, ep)
    for label in ("Module", "Function", "Class"):
        test_roots.extend(kg_id for kg_id, row in sorted(facts.nodes[label].items())
                          if row.get("file") in test_files)
    tested = graph.walk(sorted(set(test_roots)))
    for label in ("Function", "Module"):
        for kg_id, row in facts.nodes[label].items():
            if kg_id in best:
                ep = best[kg_id][2]
                walk = walks[tuple(graph.enters.get(ep, ()))]
                row["reach"] = ENTRY
                row["reach_path"] = [graph.names[ep]] + [graph.names[n]
                                                         for n in walk.path(kg_id)]
            elif kg_id in tested.seen:
                row["reach"] = TEST
                row["reach_path"] = [graph.names[n] for n in tested.path(kg_id)]
            else:
                row["reach"], row["reach_path"] = NONE, None


def _called_implicitly(function: dict | None, owner: str, facts: Facts) -> bool:
    """Methods Python or a framework calls once their class (or module) is in use."""
    if function is None:
        return False
    name = function.get("name", "")
    decorators = [d.split("(")[0].rsplit(".", 1)[-1] for d in function.get("decorators") or []]
    if owner in facts.nodes["Module"]:
        # registration by a decorator call or attribute: @app.route("/"), @atexit.register
        return any(("(" in d or "." in d) and d.split("(")[0].rsplit(".", 1)[-1]
                   not in IMPLICIT_DECORATORS for d in function.get("decorators") or [])
    if name.startswith("__") and name.endswith("__"):
        return True
    if function.get("is_property"):
        return True
    return any(d not in IMPLICIT_DECORATORS for d in decorators)


def _descendants(cls: str, subclasses: dict[str, list[str]]) -> list[str]:
    out, stack, seen = [], list(subclasses.get(cls, ())), {cls}
    while stack:
        sub = stack.pop()
        if sub not in seen:
            seen.add(sub)
            out.append(sub)
            stack.extend(subclasses.get(sub, ()))
    return sorted(out)
