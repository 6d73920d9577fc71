"""What runs when: the code graph the report walks, and breadth-first reachability over it.

Code reaches other code in-process along ENTERS, CALLS (Function or Module to
Function or Class; a construction already targets `__init__`), a reached
Class's methods (CONTAINS: calls on its instances are often unresolved),
non-annotation REFERENCES (a function passed as a callback runs), and
IMPORTS that are not under TYPE_CHECKING (importing runs module-level code).
Running anything in a module means the module was imported, and importing
`pkg.mod` runs `pkg/__init__.py`: both are edges here too. A SPAWNS hop
(CallSite in a Function or Module -> Module or EntryPoint) runs code in a
child process; walks follow it only when asked.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field

from kg.queries import named
from kg.queries.store import Store


@dataclass
class CodeGraph:
    modules: dict[str, dict]
    functions: dict[str, dict]
    classes: dict[str, dict]
    entry_points: list[dict]
    imports: list[dict]
    runs: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    spawns: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    nested_in: dict[str, str] = field(default_factory=dict)

    def module_of(self, node_id: str) -> str | None:
        """The id of the module a Module, Function or Class node belongs to."""
        if node_id in self.modules:
            return node_id
        row = self.functions.get(node_id) or self.classes.get(node_id)
        return self.module_named(row["module"]) if row else None

    def module_named(self, name: str) -> str | None:
        return self._module_ids.get(name)

    def name_of(self, node_id: str) -> str:
        for table, column in ((self.modules, "name"), (self.functions, "qualname"),
                              (self.classes, "qualname")):
            if node_id in table:
                return table[node_id][column]
        return self._entry_names.get(node_id, node_id)

    @property
    def test_roots(self) -> list[str]:
        tests = {m for m, row in self.modules.items() if row["is_test"]}
        return sorted(tests | {f for f in self.functions if self.module_of(f) in tests})

    def reach(self, starts, follow_spawns: bool) -> set[str]:
        """Every node reached from starts (included); across subprocess hops if asked."""
        seen = set(starts)
        queue = deque(sorted(seen))
        while queue:
            node = queue.popleft()
            nexts = self.runs.get(node, set())
            if follow_spawns:
                nexts = nexts | {hop["dst"] for hop in self.spawns.get(node, ())}
            for nxt in sorted(nexts - seen):
                seen.add(nxt)
                queue.append(nxt)
        return seen

    def hops_from(self, reached: set[str]) -> list[dict]:
        return sorted((hop for node in reached for hop in self.spawns.get(node, ())),
                      key=lambda h: (h["file"] or "", h["line"], h["src"], h["dst"]))

    def __post_init__(self):
        self._module_ids = {row["name"]: i for i, row in self.modules.items()}
        self._entry_names = {row["id"]: row["name"] for row in self.entry_points}


def load(store: Store, repo: str) -> CodeGraph:
    """Fetch the nodes and edges the walks need with the named queries; join them here."""
    by_id = {}
    for name, cypher in (("modules", named.MODULES), ("functions", named.FUNCTIONS),
                         ("classes", named.CLASSES)):
        by_id[name] = {r["id"]: r for r in named.rows(store, cypher, repo)}
    graph = CodeGraph(**by_id, entry_points=named.rows(store, named.ENTRY_POINTS, repo),
                      imports=named.rows(store, named.IMPORTS, repo))
    for _, src, dst in named.run_edges(store, repo):
        graph.runs[src].add(dst)
    for row in graph.imports:
        if not row["type_checking"] and row["src"] != row["dst"]:
            graph.runs[row["src"]].add(row["dst"])
    for node in [*graph.functions, *graph.classes]:
        module = graph.module_of(node)
        if module:
            graph.runs[node].add(module)
    for module, row in graph.modules.items():
        parent = _parent_package(graph, row["name"])
        if parent:
            graph.runs[module].add(parent)
    for hop in named.spawn_edges(store, repo):
        graph.spawns[hop["src"]].append(hop)
    for row in named.rows(store, named.NESTED, repo):
        graph.nested_in[row["dst"]] = row["src"]
    return graph


def _parent_package(graph: CodeGraph, name: str) -> str | None:
    while "." in name:
        name = name.rpartition(".")[0]
        if graph.module_named(name):
            return graph.module_named(name)
    return None
