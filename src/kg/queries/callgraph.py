"""The call graph as data: every resolved call, read from the graph, in kg's or PyCG's naming.

One row per call site and target (RESOLVES_TO, all candidates kept, each with
its confidence and how it was resolved) plus the decorators applied at
definition time (REFERENCES of kind decorator: `@deco` calls `deco`). The
caller is the code that holds the call: a function, a module's top-level
code, or a class body (PyCG's convention: `module.Class`).

PyCG's format (`{caller: [callee, ...]}`) is what the public call-graph
benchmarks score: functions as `module.Class.method`, nested ones as
`outer.inner`, module-level code as the module, builtins as `<builtin>.len`,
constructing a class as the `__init__` that runs (the class itself when it
is external: `collections.OrderedDict`), stdlib and third-party symbols by
their public name.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.model.facts import Facts
from kg.queries.store import Store

CALLERS = ("Module", "Class", "Function")
TARGETS = ("Function", "Class", "External")
BUILTINS_PREFIX = "builtins."
PYCG_BUILTIN = "<builtin>."

_CALLS = """
MATCH (a:{src} {{repo: $repo}})-[:CONTAINS]->(c:CallSite)-[r:RESOLVES_TO]->(b:{dst})
RETURN a.{src_name} AS caller, b.qualname AS callee, c.line AS line,
       c.callee_text AS text, r.resolved AS resolved, r.confidence AS confidence
"""

_DECORATORS = """
MATCH (a:{src} {{repo: $repo}})-[r:REFERENCES]->(b:{dst})
WHERE r.kind = 'decorator'
RETURN a.{src_name} AS caller, b.qualname AS callee, r.line AS line
"""

_CALLERS_WITHOUT_CALLS = """
MATCH (f:{label} {{repo: $repo}})
RETURN f.{name} AS name
"""


@dataclass(frozen=True, order=True)
class Edge:
    """One call (or decorator application) from caller to callee, in kg's naming."""

    caller: str             # module name or qualname of the function or class body
    caller_label: str       # Module | Class | Function
    callee: str             # qualname of the target
    callee_label: str       # Function | Class | External
    line: int
    text: str               # the callee as written (`@name` for a decorator)
    resolved: str           # inference | name | decorator
    confidence: float

    def as_dict(self) -> dict:
        return {"caller": self.caller, "caller_label": self.caller_label,
                "callee": self.callee, "callee_label": self.callee_label, "line": self.line,
                "text": self.text, "resolved": self.resolved, "confidence": self.confidence}


def _name_of(label: str) -> str:
    return "name" if label == "Module" else "qualname"


def edges(store: Store, repo: str) -> list[Edge]:
    """Every call and decorator application of one repository, sorted."""
    found: set[Edge] = set()
    for src in CALLERS:
        for dst in TARGETS:
            cypher = _CALLS.format(src=src, dst=dst, src_name=_name_of(src))
            for row in store.query(cypher, {"repo": repo}).dicts():
                found.add(Edge(row["caller"], src, row["callee"], dst, row["line"] or 0,
                               row["text"] or "", row["resolved"] or "",
                               float(row["confidence"] or 0.0)))
            cypher = _DECORATORS.format(src=src, dst=dst, src_name=_name_of(src))
            for row in store.query(cypher, {"repo": repo}).dicts():
                found.add(Edge(row["caller"], src, row["callee"], dst, row["line"] or 0,
                               "@" + row["callee"].rsplit(".", 1)[-1], "decorator", 1.0))
    return sorted(found)


def edges_from_facts(facts: Facts) -> list[Edge]:
    """The same edges as `edges`, read from a load's facts before they are stored: what the
    call-graph benchmark times, and what tests check `edges` against."""
    containers = {e.dst: (e.src_label, e.src) for e in facts.edges
                  if e.type == "CONTAINS" and e.dst_label == "CallSite"}
    found: set[Edge] = set()
    for e in facts.edges:
        if e.type == "RESOLVES_TO" and e.src in containers:
            src_label, src = containers[e.src]
            site = facts.nodes["CallSite"][e.src]
            found.add(Edge(_fact_name(facts, src_label, src), src_label,
                           _fact_name(facts, e.dst_label, e.dst), e.dst_label,
                           site.get("line") or 0, site.get("callee_text") or "",
                           e.prop("resolved") or "", float(e.prop("confidence") or 0.0)))
        elif (e.type == "REFERENCES" and e.prop("kind") == "decorator"
              and e.src_label in CALLERS and e.dst_label in TARGETS):
            callee = _fact_name(facts, e.dst_label, e.dst)
            found.add(Edge(_fact_name(facts, e.src_label, e.src), e.src_label, callee,
                           e.dst_label, e.prop("line") or 0,
                           "@" + callee.rsplit(".", 1)[-1], "decorator", 1.0))
    return sorted(found)


def definitions_from_facts(facts: Facts) -> list[str]:
    names = [_fact_name(facts, label, kg_id) for label in ("Module", "Function")
             for kg_id in facts.nodes[label]]
    return sorted(n for n in names if n)


def _fact_name(facts: Facts, label: str, kg_id: str) -> str:
    row = facts.nodes[label].get(kg_id) or {}
    return row.get(_name_of(label)) or ""


def definitions(store: Store, repo: str) -> list[str]:
    """Modules and functions of the repository: the callers PyCG lists even with no callee."""
    names: set[str] = set()
    for label in ("Module", "Function"):
        cypher = _CALLERS_WITHOUT_CALLS.format(label=label, name=_name_of(label))
        names.update(r["name"] for r in store.query(cypher, {"repo": repo}).dicts())
    return sorted(n for n in names if n)


def pycg_name(qualname: str, label: str) -> str | None:
    """A target in PyCG's naming; None for what PyCG does not list (a local class: the
    `__init__` it runs is listed instead)."""
    if label == "Class":
        return None
    qualname = qualname.split("#", 1)[0]     # `open#write`: kg's io twin of the same symbol
    if label == "External" and qualname.startswith(BUILTINS_PREFIX):
        return PYCG_BUILTIN + qualname[len(BUILTINS_PREFIX):]
    return qualname


def to_pycg(found: list[Edge], callers: list[str] = (), min_confidence: float = 0.0
            ) -> dict[str, list[str]]:
    """`{caller: sorted callees}` with every caller and callee listed as a key, as PyCG does."""
    graph: dict[str, set[str]] = {name: set() for name in callers}
    for edge in found:
        if edge.confidence < min_confidence:
            continue
        callee = pycg_name(edge.callee, edge.callee_label)
        graph.setdefault(edge.caller, set())
        if callee is None:
            continue
        graph[edge.caller].add(callee)
        graph.setdefault(callee, set())
    return {caller: sorted(graph[caller]) for caller in sorted(graph)}


def to_dot(graph: dict[str, list[str]]) -> str:
    lines = ["digraph callgraph {", "  rankdir=LR;", "  node [shape=box, fontsize=10];"]
    for caller, callees in graph.items():
        lines.append(f"  {_quote(caller)};")
        lines += [f"  {_quote(caller)} -> {_quote(callee)};" for callee in callees]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
