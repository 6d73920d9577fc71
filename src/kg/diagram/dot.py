"""DOT text for a Diagram: sorted, so the same diagram is the same text.

DOT is written here, by hand, not through the `graphviz` package: it is a few
lines of quoting, and writing it ourselves keeps the text stable across
package versions and lets kg write a `.dot` file on machines without Graphviz.
"""

from __future__ import annotations

from kg.diagram.model import Diagram, Edge, Node

# style name -> (DOT attributes, what it means in the legend)
NODE_STYLES: dict[str, tuple[dict[str, str], str]] = {
    "entry": ({"shape": "box", "style": "rounded,filled,bold", "fillcolor": "#cfe0f7",
               "penwidth": "2"}, "the entry: where the command starts"),
    "function": ({"shape": "box", "style": "rounded,filled", "fillcolor": "#eef3fb"},
                 "function (lines of code)"),
    "function_hop": ({"shape": "box", "style": "rounded,filled", "fillcolor": "#fff2cc"},
                     "function run in a subprocess (lines of code)"),
    "module_code": ({"shape": "component", "style": "filled", "fillcolor": "#f2f2f2"},
                    "module-level code (a main block)"),
    "class": ({"shape": "box", "style": "filled,dashed", "fillcolor": "#ffffff"},
              "class constructed"),
    "write": ({"shape": "cylinder", "style": "filled", "fillcolor": "#f8cecc",
               "color": "#b85450"}, "file write"),
    "read": ({"shape": "cylinder", "style": "filled", "fillcolor": "#d5e8d4",
              "color": "#82b366"}, "file read"),
    "subprocess": ({"shape": "hexagon", "style": "filled", "fillcolor": "#ffe6cc",
                    "color": "#d79b00"}, "process started"),
    "network": ({"shape": "cylinder", "style": "filled", "fillcolor": "#e1d5e7",
                 "color": "#9673a6"}, "network"),
    "module": ({"shape": "box", "style": "filled", "fillcolor": "#eef3fb"},
               "module (lines of code)"),
    "package": ({"shape": "folder", "style": "filled", "fillcolor": "#eef3fb"},
                "package (modules collapsed into it)"),
    "cycle": ({"shape": "box", "style": "filled,bold", "fillcolor": "#f8cecc",
               "color": "#b85450"}, "in an import cycle"),
    "class_main": ({"shape": "box", "style": "filled,bold", "fillcolor": "#cfe0f7"},
                   "the class: fields (set / never set), methods"),
    "class_other": ({"shape": "box", "style": "filled", "fillcolor": "#eef3fb"},
                    "local class"),
    "class_external": ({"shape": "box", "style": "filled,dashed", "fillcolor": "#ffffff"},
                       "stdlib or third-party class"),
}

EDGE_STYLES: dict[str, tuple[dict[str, str], str]] = {
    "call": ({"color": "#555555"}, "call (line of the call)"),
    "reference": ({"style": "dashed", "color": "#555555"}, "passed as a value (callback)"),
    "spawn": ({"style": "bold,dashed", "color": "#d79b00", "penwidth": "2.5"},
              "subprocess hop (line, command)"),
    "write": ({"color": "#b85450", "penwidth": "1.5"}, "writes"),
    "read": ({"color": "#82b366"}, "reads"),
    "subprocess": ({"color": "#d79b00"}, "starts a process"),
    "network": ({"color": "#9673a6"}, "network"),
    "import": ({"color": "#555555"}, "imports (line)"),
    "import_cycle": ({"color": "#b85450", "penwidth": "2"}, "import in a cycle"),
    "import_deferred": ({"style": "dotted", "color": "#555555"},
                        "import inside a function or under TYPE_CHECKING"),
    "inherits": ({"arrowhead": "empty", "color": "#555555"}, "inherits from"),
}

LEFT_JUSTIFIED = {"class_main"}
LEGEND_ROW = 4


def to_dot(diagram: Diagram) -> str:
    out = ["digraph kg {",
           f"  graph [rankdir={diagram.direction}, fontname=\"Helvetica\", fontsize=12, "
           f"labelloc=t, labeljust=l, compound=true, label={_left(diagram.title)}];",
           "  node [fontname=\"Helvetica\", fontsize=10];",
           "  edge [fontname=\"Helvetica\", fontsize=9];"]
    by_cluster: dict[str, list[Node]] = {}
    for node in diagram.nodes:
        by_cluster.setdefault(node.cluster, []).append(node)
    out += _cluster_lines("", diagram, by_cluster, 1)
    for edge in sorted(diagram.edges, key=lambda e: (e.src, e.dst, e.style, e.label)):
        out.append("  " + _edge(edge))
    out += _legend(diagram.legend)
    out.append("}")
    return "\n".join(out) + "\n"


def _cluster_lines(path: str, diagram: Diagram, by_cluster: dict, indent: int) -> list[str]:
    pad = "  " * indent
    lines = [pad + _node(n) for n in sorted(by_cluster.get(path, []), key=lambda n: n.id)]
    for child in _children(path, diagram.clusters):
        lines.append(f"{pad}subgraph {_quote('cluster_' + child)} {{")
        lines.append(f"{pad}  label={_quote(diagram.clusters[child])}; style=\"rounded\"; "
                     f"color=\"#999999\";")
        lines += _cluster_lines(child, diagram, by_cluster, indent + 1)
        lines.append(pad + "}")
    return lines


def _children(path: str, clusters: dict[str, str]) -> list[str]:
    """Clusters whose nearest enclosing cluster (by dotted prefix) is path."""
    return sorted(c for c in clusters if c != path and _parent(c, clusters) == path)


def _parent(cluster: str, clusters: dict[str, str]) -> str:
    parts = cluster.split(".")
    for end in range(len(parts) - 1, 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in clusters:
            return candidate
    return ""


def _node(node: Node) -> str:
    attrs = dict(NODE_STYLES[node.style][0])
    label = _left(node.label.split("\n")) if node.style in LEFT_JUSTIFIED else _quote(node.label)
    return f"{_quote(node.id)} [{_attrs(attrs)}, label={label}];"


def _edge(edge: Edge) -> str:
    attrs = dict(EDGE_STYLES[edge.style][0])
    label = f", label={_quote(edge.label)}" if edge.label else ""
    return f"{_quote(edge.src)} -> {_quote(edge.dst)} [{_attrs(attrs)}{label}];"


def _legend(styles: list[str]) -> list[str]:
    if not styles:
        return []
    lines = ["  subgraph \"cluster_legend\" {",
             "    label=\"legend\"; style=\"rounded\"; color=\"#999999\";"]
    shown = [style for style in styles if style in NODE_STYLES]
    for i, style in enumerate(shown):
        attrs, meaning = NODE_STYLES[style]
        lines.append(f"    {_quote('legend:' + style)} [{_attrs(attrs)}, "
                     f"label={_quote(meaning)}];")
        if i % LEGEND_ROW:  # side by side, LEGEND_ROW to a row
            lines.append(f"    {_quote('legend:' + shown[i - 1])} -> "
                         f"{_quote('legend:' + style)} [style=invis];")
    for style in styles:
        if style not in NODE_STYLES:
            attrs, meaning = EDGE_STYLES[style]
            a, b = _quote(f"legend:{style}:from"), _quote(f"legend:{style}:to")
            lines.append(f"    {a} [shape=point, width=0.05];")
            lines.append(f"    {b} [shape=plaintext, label={_quote(meaning)}];")
            lines.append(f"    {a} -> {b} [{_attrs(attrs)}];")
    lines.append("  }")
    return lines


def _attrs(attrs: dict[str, str]) -> str:
    return ", ".join(f"{k}={_quote(v)}" for k, v in attrs.items())


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")
    return f"\"{escaped}\""


def _left(lines: list[str]) -> str:
    """A label of left-justified lines (DOT's `\\l` ends each)."""
    escaped = [line.replace("\\", "\\\\").replace("\"", "\\\"") for line in lines]
    return "\"" + "".join(line + "\\l" for line in escaped) + "\""
