"""`kg diagram class`: one class with its fields (set or never set), methods, bases, subclasses.

A field counts as set when any code SETS it (a constructor keyword or
position, an attribute assignment, setattr, ...); one that nothing sets keeps
its default forever, or was never needed.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.diagram.dot import to_dot
from kg.diagram.model import Diagram, Edge, Node, plural
from kg.errors import InputError
from kg.queries import paths
from kg.queries.store import Store


@dataclass
class ClassDiagram:
    dot: str
    fields_set: list[str]
    fields_never_set: list[str]


def build(store: Store, repo: str, qualname: str) -> ClassDiagram:
    found = paths.class_named(store, repo, qualname)
    if found is None:
        raise InputError(f"no class {qualname!r} in {repo} (give its dotted qualified name, "
                         f"e.g. package.module.Class)")
    parts = paths.class_parts(store, found["id"])
    fields = parts["fields"]
    main = Node(qualname, "\n".join(_card(found, fields, parts["methods"])), "class_main")
    nodes, edges = [main], []
    for base in parts["bases"]:
        nodes.append(Node(base["name"], f"{base['name']}\n({base['kind']})", "class_other"))
        edges.append(Edge(qualname, base["name"], "", "inherits"))
    for base in parts["external_bases"]:
        nodes.append(Node(base["name"], base["name"], "class_external"))
        edges.append(Edge(qualname, base["name"], "", "inherits"))
    for sub in parts["subclasses"]:
        nodes.append(Node(sub["name"], f"{sub['name']}\n({sub['kind']})", "class_other"))
        edges.append(Edge(sub["name"], qualname, "", "inherits"))
    set_ = [f["name"] for f in fields if f["sets"]]
    never = [f["name"] for f in fields if not f["sets"]]
    title = [f"kg diagram class: {qualname}   (repository {repo})",
             f"{plural(len(fields), 'field')}: {len(set_)} set, {len(never)} never set; "
             f"{plural(len(parts['methods']), 'method')}"]
    used = {n.style for n in nodes}
    legend = [s for s in ("class_main", "class_other", "class_external", "inherits")
              if s in used or (s == "inherits" and edges)]
    diagram = Diagram(title=title, nodes=_unique(nodes), edges=edges, legend=legend,
                      direction="BT")
    return ClassDiagram(dot=to_dot(diagram), fields_set=set_, fields_never_set=never)


def _card(cls: dict, fields: list[dict], methods: list[dict]) -> list[str]:
    lines = [f"{cls['qualname']}  ({cls['kind']}, {cls['file']}:{cls['line']}, "
             f"{plural(cls['loc'], 'line')})", "", "fields:"]
    for f in fields:
        annotation = f": {f['annotation']}" if f["annotation"] else ""
        default = " = ..." if f["has_default"] else ""
        state = f"set in {plural(f['sets'], 'place')}" if f["sets"] else "NEVER SET"
        lines.append(f"  {f['name']}{annotation}{default}   [{state}]")
    if not fields:
        lines.append("  (none)")
    lines += ["", "methods:"]
    for m in methods:
        marks = "".join(f" @{mark}" for mark, on in (("property", m["is_property"]),
                                                      ("abstract", m["is_abstract"])) if on)
        lines.append(f"  {m['name']}(){marks}   {plural(m['loc'], 'line')}")
    if not methods:
        lines.append("  (none)")
    return lines


def _unique(nodes: list[Node]) -> list[Node]:
    """A class that is both a base and a subclass (a cycle in broken code) is drawn once."""
    seen: dict[str, Node] = {}
    for node in nodes:
        seen.setdefault(node.id, node)
    return list(seen.values())
