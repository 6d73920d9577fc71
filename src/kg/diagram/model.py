"""A diagram as plain data: what to draw, before any DOT is written."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Node:
    id: str
    label: str
    style: str                  # a key of kg.diagram.dot.NODE_STYLES
    cluster: str = ""           # dotted cluster path ("lab.store"), "" for none


@dataclass
class Edge:
    src: str
    dst: str
    label: str
    style: str                  # a key of kg.diagram.dot.EDGE_STYLES


@dataclass
class Diagram:
    title: list[str]
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    clusters: dict[str, str] = field(default_factory=dict)   # cluster path -> label
    legend: list[str] = field(default_factory=list)          # node and edge styles shown
    direction: str = "LR"


def plural(n: int, word: str, many: str | None = None) -> str:
    """`1 line`, `2 lines`."""
    return f"{n} {word if n == 1 else many or word + 's'}"
