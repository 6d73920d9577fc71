"""`kg diagram path`: what a command runs, drawn, with the lines it costs to read.

The entry's call walk (kg.queries.walk, shared with the audit report's
entry-point footprints) gives every function, module-level code, class
constructed and I/O call within depth. With `--sinks` or `--to` only the
nodes on a path from the entry to a sink (or to the symbol) are kept. Totals
(kg.queries.totals) are counted twice: in the entry's own
process, and across subprocess hops; `--no-hops` leaves the hops out of the
drawing, never out of the totals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from kg.diagram.collapse import fit
from kg.diagram.dot import to_dot
from kg.diagram.model import Diagram, Edge, Node, plural
from kg.errors import InputError
from kg.queries import paths
from kg.queries import totals as totals_
from kg.queries.entry import EntryPoints, resolve
from kg.queries.store import Store
from kg.queries.walk import IO, SPAWN, Walked, walk

SINKS = {"write": ("write",), "subprocess": ("subprocess",),
         "all": ("network", "read", "subprocess", "write")}
SINK_NAMES = {"write": "file writes", "subprocess": "processes started",
              "all": "I/O (reads, writes, processes, network)"}
DEFAULT_MAX_NODES = 80
LEGEND = ["entry", "function", "function_hop", "module_code", "class", "write", "read", "subprocess",
          "network", "call", "reference", "spawn"]
TO_LABELS = ("Function", "Class", "External", "Module")


@dataclass
class PathDiagram:
    entry: str
    dot: str
    in_process: totals_.Totals
    with_hops: totals_.Totals
    collapsed: str | None

    def totals_line(self) -> str:
        return (f"{self.in_process.text()} (in-process) / "
                f"{self.with_hops.text()} (with subprocess hops)")


def build(store: Store, repo: str, entry: str, to: str | None = None,
          sinks: str | None = None, depth: int | None = None, hops: bool = True,
          max_nodes: int = DEFAULT_MAX_NODES) -> PathDiagram:
    _check(to, sinks, depth, max_nodes)
    entry_points = EntryPoints(store, repo)
    start = resolve(store, repo, entry, entry_points)
    walked = walk(store, start.roots, entry_points, depth)
    info = walked.info
    targets = _targets(store, repo, walked, info, to, sinks, entry, depth)
    in_process = _on_path(walked, walked.reached(False, depth), targets, hops=False)
    everything = _on_path(walked, walked.reached(True, depth), targets, hops=True)
    in_totals = walked.totals(in_process)
    hop_totals = walked.totals(everything)
    drawn = (everything if hops else in_process) or set(walked.roots)
    nodes, edges = _drawing(walked, info, drawn, hops, walked.reached(False, depth))
    sizes = {m.module: (len(m.functions), m.lines) for m in walked.by_module(drawn)}
    fitted = fit(nodes, edges, _clusters(nodes, sizes), sizes, max_nodes)
    title = _title(entry, repo, to, sinks, depth, hops, in_totals, hop_totals, fitted.level,
                   len(nodes), max_nodes, bool(targets is not None and not everything))
    diagram = Diagram(title=title, nodes=fitted.nodes, edges=fitted.edges,
                      clusters=fitted.clusters, legend=_legend(fitted.nodes, fitted.edges))
    return PathDiagram(entry=entry, dot=to_dot(diagram), in_process=in_totals,
                       with_hops=hop_totals, collapsed=fitted.level)


def _check(to, sinks, depth, max_nodes) -> None:
    if to is not None and sinks is not None:
        raise InputError("give --to SYMBOL or --sinks KIND, not both")
    if sinks is not None and sinks not in SINKS:
        raise InputError(f"--sinks must be one of {', '.join(SINKS)}")
    if depth is not None and depth < 0:
        raise InputError("--depth must be 0 or more")
    if max_nodes < 1:
        raise InputError("--max-nodes must be 1 or more")


def _targets(store, repo, walked, info, to, sinks, entry, depth) -> set[str] | None:
    """The nodes paths must end in, or None when every reached node is drawn."""
    if sinks is not None:
        return {n for n, label in walked.labels.items()
                if label == "External" and info[n]["io"] in SINKS[sinks]}
    if to is None:
        return None
    named = [i for label in TO_LABELS for i in paths.named(store, repo, label, to)]
    named += paths.named(store, repo, "External", to + "#write")
    if not named:
        raise InputError(f"no function, class, module or I/O symbol named {to!r} in {repo}")
    reached = {i for i in named if i in walked.labels}
    if not reached:
        within = f" within depth {depth}" if depth is not None else ""
        raise InputError(f"{to} is not reached from {entry}{within} (kg diagram path follows "
                         f"calls, callbacks and subprocess hops; stdlib calls only when they "
                         f"do I/O)")
    return reached


def _on_path(walked: Walked, reached: set[str], targets: set[str] | None,
             hops: bool) -> set[str]:
    """The reached nodes from which a target can be reached (all of them without targets)."""
    if targets is None:
        return reached
    into: dict[str, list[str]] = defaultdict(list)
    for step in walked.steps:
        if step.src in reached and step.dst in reached and (hops or step.kind != SPAWN):
            into[step.dst].append(step.src)
    keep = targets & reached
    stack = sorted(keep)
    while stack:
        for src in into.get(stack.pop(), ()):
            if src not in keep:
                keep.add(src)
                stack.append(src)
    return keep


def _drawing(walked: Walked, info: dict, drawn: set[str], hops: bool, own: set[str]):
    """Nodes and edges to draw; own: what runs in the entry's process."""
    roots = set(walked.roots)
    nodes = [_node(n, info[n], n in roots, n in own) for n in sorted(drawn)]
    lines: dict[tuple[str, str, str], list] = defaultdict(list)
    for step in walked.steps:
        if step.src in drawn and step.dst in drawn and (hops or step.kind != SPAWN):
            style = info[step.dst]["io"] if step.kind == IO else step.kind
            lines[(step.src, step.dst, style)].append(step)
    edges = [Edge(_short(src), _short(dst), _edge_label(style, steps), style)
             for (src, dst, style), steps in sorted(lines.items())]
    return nodes, edges


def _node(node_id: str, row: dict, is_root: bool, in_process: bool) -> Node:
    label = row["label"]
    if label == "External":
        name = row["name"].replace("#write", " (write)")
        return Node(_short(node_id), name, row["io"] or "subprocess")
    module = row["module"] or ""
    if label == "Module":
        return Node(_short(node_id), "module code", "module_code", module)
    name = row["name"].removeprefix(module + ".") if module else row["name"]
    if label == "Class":
        return Node(_short(node_id), f"class {name}", "class", module)
    style = "entry" if is_root else "function" if in_process else "function_hop"
    return Node(_short(node_id), f"{name}\n{plural(row['loc'], 'line')}", style, module)


def _edge_label(style: str, steps: list) -> str:
    at = ", ".join(f"L{line}" for line in sorted({s.line for s in steps}))
    if style == SPAWN:
        commands = sorted({s.command for s in steps if s.command})
        return f"{at} subprocess\n" + "\n".join(commands) if commands else f"{at} subprocess"
    if style == "reference":
        return f"{at} (callback)"
    return at


def _clusters(nodes: list[Node], sizes: dict[str, tuple[int, int]]) -> dict[str, str]:
    clusters = {}
    for node in nodes:
        parts = node.cluster.split(".") if node.cluster else []
        for end in range(1, len(parts)):
            clusters.setdefault(".".join(parts[:end]), ".".join(parts[:end]))
    for node in nodes:
        if node.cluster in sizes:
            functions, lines = sizes[node.cluster]
            clusters[node.cluster] = (f"{node.cluster}\n{plural(functions, 'function')}, "
                                      f"{plural(lines, 'line')}")
        elif node.cluster:
            clusters[node.cluster] = node.cluster
    return clusters



def _title(entry, repo, to, sinks, depth, hops, in_totals, hop_totals, level, count,
           max_nodes, nothing) -> list[str]:
    title = [f"kg diagram path: {entry}   (repository {repo})"]
    if sinks is not None:
        title.append(f"only paths that end in {SINK_NAMES[sinks]}")
    if to is not None:
        title.append(f"only paths to {to}")
    if depth is not None:
        title.append(f"at most {depth} calls deep")
    if nothing:
        title.append("no path from the entry gets there")
    title.append(f"in-process: {in_totals.text()}")
    title.append(f"with subprocess hops: {hop_totals.text()}"
                 + ("" if hops else "   (hops not drawn: --no-hops)"))
    if level is not None:
        title.append(f"collapsed to {level}: {count} nodes are over the budget of "
                     f"{max_nodes} (--max-nodes)")
    return title


def _legend(nodes: list[Node], edges: list[Edge]) -> list[str]:
    used = {n.style for n in nodes} | {e.style for e in edges}
    return [style for style in LEGEND + ["module", "package"] if style in used]


def _short(node_id: str) -> str:
    """A kg id without its repository: `Function:lab.cli.campaign`."""
    return node_id.split(":", 1)[1] if ":" in node_id else node_id
