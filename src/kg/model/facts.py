"""Facts: the plain data the loader produces and a store writes.

Kept free of astroid and of any store, so a store can be tested on facts it
is handed and the loader on facts it returns.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from kg.model.schema import NODES, RELATIONSHIPS, node_properties


@dataclass(frozen=True, slots=True)
class Edge:
    type: str
    src_label: str
    src: str
    dst_label: str
    dst: str
    props: tuple[tuple[str, object], ...] = ()

    def __reduce__(self):
        """Pickled as its fields alone: a large load hands nearly a million edges between
        processes (parallel.py, forked.py) and to the facts cache, and the default pickle
        (a state dict per edge) took twice as long to read back."""
        return (Edge, (self.type, self.src_label, self.src, self.dst_label, self.dst,
                       self.props))

    def prop(self, name: str, default=None):
        return dict(self.props).get(name, default)


@dataclass
class Facts:
    """Nodes by label (keyed by id, so a node added twice is stored once) and edges."""

    nodes: dict[str, dict[str, dict]] = field(default_factory=lambda: {k: {} for k in NODES})
    edges: list[Edge] = field(default_factory=list)

    def add_node(self, label: str, id: str, **props) -> str:
        if label not in NODES:
            raise ValueError(f"unknown label {label!r}")
        allowed = node_properties(label)
        unknown = set(props) - set(allowed)
        if unknown:
            raise ValueError(f"{label} has no properties {sorted(unknown)}")
        row = self.nodes[label].get(id)
        if row is None:
            self.nodes[label][id] = {"id": id, **props}
        else:
            row.update({k: v for k, v in props.items() if v is not None})
        return id

    def add_edge(self, type: str, src_label: str, src: str, dst_label: str, dst: str,
                 **props) -> None:
        pairs, allowed = RELATIONSHIPS[type]
        if (src_label, dst_label) not in pairs:
            raise ValueError(f"{type} does not go from {src_label} to {dst_label}")
        unknown = set(props) - set(allowed)
        if unknown:
            raise ValueError(f"{type} has no properties {sorted(unknown)}")
        self.edges.append(Edge(type, src_label, src, dst_label, dst, tuple(sorted(props.items()))))

    def merge(self, other: Facts) -> None:
        for label, rows in other.nodes.items():
            for id, row in rows.items():
                self.add_node(label, id, **{k: v for k, v in row.items() if k != "id"})
        self.edges.extend(other.edges)

    def node(self, label: str, id: str) -> dict | None:
        return self.nodes[label].get(id)

    def drop_dangling_edges(self) -> int:
        """Remove edges whose ends are not nodes; returns how many went."""
        kept = [e for e in self.edges
                if e.src in self.nodes[e.src_label] and e.dst in self.nodes[e.dst_label]]
        dropped = len(self.edges) - len(kept)
        self.edges = kept
        return dropped

    def edge_groups(self) -> dict[tuple[str, str, str], list[Edge]]:
        """Edges by (type, source label, target label), the unit both stores write in."""
        groups: dict[tuple[str, str, str], list[Edge]] = {}
        for e in self.edges:
            groups.setdefault((e.type, e.src_label, e.dst_label), []).append(e)
        return dict(sorted(groups.items()))

    def counts(self) -> dict[str, int]:
        out = {label: len(rows) for label, rows in self.nodes.items() if rows}
        out.update(Counter(e.type for e in self.edges))
        return dict(sorted(out.items()))
