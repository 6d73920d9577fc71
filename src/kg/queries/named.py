"""Named queries the audit report uses, in the portable Cypher subset (one label per node).

Each query takes `$repo` and returns plain columns; the report joins them in
Python, where both stores give the same answer. The report walks nothing
itself: whether a module can run at all is the loader's `reach`
(kg.loader.reach), what an entry point runs is the call walk in kg.queries.walk.
Edge queries return `src, dst` ids, one query per FROM/TO label pair, so none
needs `labels()` or a multi-label pattern.
"""

from __future__ import annotations

from kg.queries.store import Store

# Every module with its `reach` (entry, test or none), derived at load time.
MODULES = """
MATCH (m:Module {repo: $repo})
RETURN m.id AS id, m.name AS name, m.file AS file, coalesce(m.loc, 0) AS loc,
       coalesce(m.is_test, false) AS is_test, coalesce(m.is_package, false) AS is_package,
       coalesce(m.reach, 'none') AS reach
ORDER BY name
"""

# Local module imports; `type_checking` tells the ones that never run.
IMPORTS = """
MATCH (a:Module {repo: $repo})-[i:IMPORTS]->(b:Module {repo: $repo})
RETURN DISTINCT a.id AS src, b.id AS dst, coalesce(i.type_checking, false) AS type_checking
"""

_EDGE = """
MATCH (a:{src} {{repo: $repo}})-[r:{type}]->(b:{dst})
{where}RETURN DISTINCT a.id AS src, b.id AS dst
"""

# Edges along which running code reaches other code in the same process:
# (type, from label, to label, WHERE clause or "").
RUN_EDGES = (
    ("ENTERS", "EntryPoint", "Function", ""),
    ("ENTERS", "EntryPoint", "Module", ""),
    ("CALLS", "Function", "Function", ""),
    ("CALLS", "Function", "Class", ""),
    ("CALLS", "Module", "Function", ""),
    ("CALLS", "Module", "Class", ""),
    ("CONTAINS", "Class", "Function", ""),
    ("REFERENCES", "Function", "Function", "WHERE coalesce(r.in_annotation, false) = false\n"),
    ("REFERENCES", "Module", "Function", "WHERE coalesce(r.in_annotation, false) = false\n"),
    ("REFERENCES", "Class", "Function", "WHERE coalesce(r.in_annotation, false) = false\n"),
)

# Subprocess hops: the code that holds the call site, where it is, what it runs.
_SPAWNS = """
MATCH (a:{src} {{repo: $repo}})-[:CONTAINS]->(c:CallSite)-[:SPAWNS]->(b:{dst})
RETURN DISTINCT a.id AS src, b.id AS dst, c.file AS file, coalesce(c.line, 0) AS line
"""
SPAWN_PAIRS = (("Function", "Module"), ("Function", "EntryPoint"),
               ("Module", "Module"), ("Module", "EntryPoint"))


def rows(store: Store, cypher: str, repo: str) -> list[dict]:
    return store.query(cypher, {"repo": repo}).dicts()


def run_edges(store: Store, repo: str) -> list[tuple[str, str, str]]:
    """(type, src id, dst id) for every edge along which code runs in-process, sorted."""
    edges = set()
    for type, src, dst, where in RUN_EDGES:
        cypher = _EDGE.format(src=src, dst=dst, type=type, where=where)
        edges.update((type, r["src"], r["dst"]) for r in rows(store, cypher, repo))
    return sorted(edges)


def spawn_edges(store: Store, repo: str) -> list[dict]:
    """Subprocess hops: {src, dst, file, line}, sorted."""
    found = []
    for src, dst in SPAWN_PAIRS:
        found += rows(store, _SPAWNS.format(src=src, dst=dst), repo)
    return sorted(found, key=lambda r: (r["src"], r["dst"], r["file"] or "", r["line"]))
