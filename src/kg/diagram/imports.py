"""`kg diagram imports`: which module imports which, with import cycles in red.

Only imports that run when the module is imported make a cycle: an import
inside a function or under TYPE_CHECKING is drawn dotted and never counted in
one. `--collapse DEPTH` merges modules into their first DEPTH dotted parts;
beyond the node budget modules are merged into packages, one level up at a
time, and the title says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from kg.diagram.dot import to_dot
from kg.diagram.model import Diagram, Edge, Node, plural
from kg.errors import InputError
from kg.queries import paths
from kg.queries.store import Store

DEFAULT_MAX_NODES = 80


@dataclass
class ImportDiagram:
    dot: str
    modules: int
    cycles: list[list[str]]         # each sorted; modules (or groups) in one cycle
    collapsed: str | None


def build(store: Store, repo: str, package: str | None = None, collapse: int | None = None,
          max_nodes: int = DEFAULT_MAX_NODES) -> ImportDiagram:
    if collapse is not None and collapse < 1:
        raise InputError("--collapse must be 1 or more")
    modules = {m["name"]: m for m in paths.modules(store, repo)
               if not m["is_test"] and _inside(m["name"], package)}
    if not modules:
        raise InputError(f"no module {'in ' + package if package else ''} in {repo}")
    imports = [i for i in paths.module_imports(store, repo)
               if i["src"] in modules and i["dst"] in modules and i["src"] != i["dst"]]
    depth, note = collapse, None
    deepest = max(name.count(".") + 1 for name in modules)
    if collapse is None and len(modules) > max_nodes:
        depth = deepest
        while depth > 1 and len({_group(m, depth) for m in modules}) > max_nodes:
            depth -= 1
        note = (f"collapsed to packages of {depth} dotted part{'s' if depth > 1 else ''}: "
                f"{len(modules)} modules are over the budget of {max_nodes} (--max-nodes)")
    group = {m: _group(m, depth) for m in modules}
    edges = _edges(imports, group)
    cycles = _cycles(sorted(set(group.values())),
                     {(a, b) for (a, b), kinds in edges.items() if "runs" in kinds})
    in_cycle = {node: i for i, cycle in enumerate(cycles) for node in cycle}
    nodes = _nodes(modules, group, in_cycle, depth is not None)
    drawn = [_edge(a, b, kinds, in_cycle) for (a, b), kinds in sorted(edges.items())]
    title = [f"kg diagram imports{': ' + package if package else ''}   (repository {repo})",
             f"{plural(len(modules), 'module')}, {plural(len(imports), 'import')}, "
             f"{plural(len(cycles), 'import cycle')}"]
    if collapse is not None:
        title.append(f"modules merged into their first {collapse} dotted parts (--collapse)")
    if note:
        title.append(note)
    used = {n.style for n in nodes} | {e.style for e in drawn}
    legend = [s for s in ("module", "package", "cycle", "import", "import_cycle",
                          "import_deferred") if s in used]
    diagram = Diagram(title=title, nodes=nodes, edges=drawn, legend=legend, direction="TB")
    return ImportDiagram(dot=to_dot(diagram), modules=len(modules), cycles=cycles,
                         collapsed=note)


def _inside(name: str, package: str | None) -> bool:
    return package is None or name == package or name.startswith(package + ".")


def _group(name: str, depth: int | None) -> str:
    return name if depth is None else ".".join(name.split(".")[:depth])


def _edges(imports: list[dict], group: dict[str, str]) -> dict[tuple[str, str], dict]:
    """(src group, dst group) -> {"lines": [...], and "runs" if any import runs on import}."""
    edges: dict[tuple[str, str], dict] = defaultdict(lambda: {"lines": []})
    for row in imports:
        a, b = group[row["src"]], group[row["dst"]]
        if a == b:
            continue
        edges[(a, b)]["lines"].append(row["line"])
        if not (row["type_checking"] or row["in_function"]):
            edges[(a, b)]["runs"] = True
    return dict(edges)


def _cycles(nodes: list[str], edges: set[tuple[str, str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan, iterative), sorted."""
    succ = defaultdict(list)
    for a, b in sorted(edges):
        succ[a].append(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found = []
    for root in nodes:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if i < len(succ[node]):
                work.append((node, i + 1))
                nxt = succ[node][i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return sorted(found)


def _nodes(modules: dict, group: dict[str, str], in_cycle: dict, merged: bool) -> list[Node]:
    sizes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for name, row in modules.items():
        sizes[group[name]][0] += 1
        sizes[group[name]][1] += row["loc"]
    nodes = []
    for name, (count, loc) in sorted(sizes.items()):
        many = merged and (count > 1 or name not in modules)
        label = (f"{name}\n{plural(count, 'module')}, {plural(loc, 'line')}" if many
                 else f"{name}\n{plural(loc, 'line')}")
        style = "cycle" if name in in_cycle else "package" if many else "module"
        nodes.append(Node(name, label, style))
    return nodes


def _edge(a: str, b: str, kinds: dict, in_cycle: dict) -> Edge:
    lines = sorted(set(kinds["lines"]))
    label = ", ".join(f"L{n}" for n in lines[:3]) + (" ..." if len(lines) > 3 else "")
    if "runs" not in kinds:
        style = "import_deferred"
    elif a in in_cycle and in_cycle.get(b) == in_cycle[a]:
        style = "import_cycle"
    else:
        style = "import"
    return Edge(a, b, label, style)
