"""Keeping big diagrams readable: beyond a node budget, draw modules, then packages.

Nodes that belong to a module (its `cluster`) are merged into one node per
module, parallel edges into one edge that says how many it stands for; if
that is still over the budget, modules are merged into their packages, one
level up at a time. Nodes outside any module (stdlib I/O) stay as they are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from kg.diagram.model import Edge, Node, plural


@dataclass
class Fitted:
    nodes: list[Node]
    edges: list[Edge]
    clusters: dict[str, str]
    level: str | None            # None, "modules" or "packages (N levels)"


def fit(nodes: list[Node], edges: list[Edge], clusters: dict[str, str],
        sizes: dict[str, tuple[int, int]], max_nodes: int) -> Fitted:
    """sizes: module -> (functions, lines) on the path, for the collapsed labels."""
    if len(nodes) <= max_nodes:
        return Fitted(nodes, edges, clusters, None)
    modules = sorted({n.cluster for n in nodes if n.cluster})
    depth = max((m.count(".") + 1 for m in modules), default=1)
    fitted = _grouped(nodes, edges, {m: m for m in modules}, sizes, "module")
    level = "modules"
    parts = depth - 1
    while len(fitted.nodes) > max_nodes and parts >= 1:
        groups = {m: ".".join(m.split(".")[:parts]) for m in modules}
        fitted = _grouped(nodes, edges, groups, sizes, "package")
        level = f"packages of {parts} dotted part{'s' if parts > 1 else ''}"
        parts -= 1
    fitted.level = level
    return fitted


def _grouped(nodes, edges, group_of: dict[str, str], sizes, style: str) -> Fitted:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for module, group in group_of.items():
        functions, lines = sizes.get(module, (0, 0))
        totals[group][0] += functions
        totals[group][1] += lines
    new_id = {}
    kept: dict[str, Node] = {}
    for node in nodes:
        group = group_of.get(node.cluster)
        if group is None:
            new_id[node.id] = node.id
            kept[node.id] = node
            continue
        node_id = f"{style}:{group}"
        new_id[node.id] = node_id
        functions, lines = totals[group]
        kept[node_id] = Node(node_id, f"{group}\n{plural(functions, 'function')}, "
                                      f"{plural(lines, 'line')}",
                             style, _parent(group))
    merged: dict[tuple[str, str, str], list[Edge]] = defaultdict(list)
    for edge in edges:
        src, dst = new_id[edge.src], new_id[edge.dst]
        if src != dst:
            merged[(src, dst, edge.style)].append(edge)
    new_edges = [_merged(src, dst, style_, group) for (src, dst, style_), group
                 in sorted(merged.items())]
    clusters = {}
    for node in kept.values():
        for prefix in _prefixes(node.cluster):
            clusters[prefix] = prefix
    return Fitted(sorted(kept.values(), key=lambda n: n.id), new_edges, clusters, None)


PLURALS = {"call": "calls", "reference": "references", "spawn": "subprocess hops",
           "write": "writes", "read": "reads", "subprocess": "process starts",
           "network": "network calls", "import": "imports", "import_cycle": "imports in a cycle",
           "import_deferred": "deferred imports", "inherits": "bases"}


def _merged(src: str, dst: str, style: str, edges: list[Edge]) -> Edge:
    if len(edges) == 1:
        return Edge(src, dst, edges[0].label, style)
    return Edge(src, dst, f"{len(edges)} {PLURALS.get(style, style)}", style)


def _parent(name: str) -> str:
    return name.rpartition(".")[0]


def _prefixes(name: str) -> list[str]:
    parts = name.split(".") if name else []
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
