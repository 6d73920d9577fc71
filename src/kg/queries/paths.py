"""Named queries the diagrams use, in the portable Cypher subset (one label per node).

Each returns rows; kg.diagram assembles the graph in Python. Walks are done
frontier by frontier: `*_from(store, ids)` fetch the edges leaving a set of
nodes (joined by `{id: i}` over `UNWIND $ids`, never by a WHERE on ids), so a
diagram touches only the part of the graph it draws. Queries that differ only
in labels are one template per FROM/TO pair: no `labels()`, no multi-label
patterns.
"""

from __future__ import annotations

from kg.queries.store import Store

ENTRY_POINTS = """
MATCH (e:EntryPoint {repo: $repo})
RETURN e.id AS id, e.name AS name, e.kind AS kind, coalesce(e.target, '') AS target,
       coalesce(e.file, '') AS file, coalesce(e.line, 0) AS line
ORDER BY name, kind, id
"""

_ENTERS = """
UNWIND $ids AS i
MATCH (e:EntryPoint {{id: i}})-[:ENTERS]->(t:{dst})
RETURN e.id AS src, t.id AS dst
"""

_NAMED = """
MATCH (n:{label} {{repo: $repo, {key}: $name}})
RETURN n.id AS id
"""

_CALLS = """
UNWIND $ids AS i
MATCH (a:{src} {{id: i}})-[c:CALLS]->(b:{dst})
RETURN a.id AS src, b.id AS dst, coalesce(c.line, 0) AS line
"""

# Calls of stdlib or third-party symbols that do I/O (the sinks a path may end in).
_IO_CALLS = """
UNWIND $ids AS i
MATCH (a:{src} {{id: i}})-[c:CALLS]->(b:External)
WHERE coalesce(b.io, '') <> ''
RETURN a.id AS src, b.id AS dst, coalesce(c.line, 0) AS line
"""

# A function passed as a value is assumed called (callbacks); annotations are not uses.
REFERENCES_FROM = """
UNWIND $ids AS i
MATCH (a:Function {id: i})-[r:REFERENCES]->(b:Function)
WHERE coalesce(r.in_annotation, false) = false AND coalesce(r.kind, '') <> 'annotation'
RETURN a.id AS src, b.id AS dst, coalesce(r.line, 0) AS line
"""

_SPAWNS = """
UNWIND $ids AS i
MATCH (a:{src} {{id: i}})-[:CONTAINS]->(c:CallSite)-[h:SPAWNS]->(b:{dst})
RETURN a.id AS src, b.id AS dst, coalesce(c.line, 0) AS line, coalesce(h.command, '') AS command
"""

NESTED_FROM = """
UNWIND $ids AS i
MATCH (a:Function {id: i})-[:CONTAINS]->(b:Function)
RETURN a.id AS src, b.id AS dst
"""

FUNCTIONS = """
UNWIND $ids AS i
MATCH (f:Function {id: i})
RETURN f.id AS id, f.qualname AS name, f.module AS module, f.file AS file,
       coalesce(f.line, 0) AS line, coalesce(f.loc, 0) AS loc
"""

MODULES = """
UNWIND $ids AS i
MATCH (m:Module {id: i})
RETURN m.id AS id, m.name AS name, m.name AS module, m.file AS file,
       coalesce(m.line, 0) AS line, coalesce(m.loc, 0) AS loc
"""

CLASSES = """
UNWIND $ids AS i
MATCH (c:Class {id: i})
RETURN c.id AS id, c.qualname AS name, c.module AS module, c.file AS file,
       coalesce(c.line, 0) AS line, coalesce(c.loc, 0) AS loc
"""

EXTERNALS = """
UNWIND $ids AS i
MATCH (x:External {id: i})
RETURN x.id AS id, x.qualname AS name, coalesce(x.io, '') AS io
"""

ALL_MODULES = """
MATCH (m:Module {repo: $repo})
RETURN m.id AS id, m.name AS name, coalesce(m.loc, 0) AS loc,
       coalesce(m.is_package, false) AS is_package, coalesce(m.is_test, false) AS is_test
ORDER BY name
"""

MODULE_IMPORTS = """
MATCH (a:Module {repo: $repo})-[i:IMPORTS]->(b:Module {repo: $repo})
RETURN a.name AS src, b.name AS dst, coalesce(i.line, 0) AS line,
       coalesce(i.type_checking, false) AS type_checking,
       coalesce(i.in_function, false) AS in_function
ORDER BY src, dst, line
"""

CLASS = """
MATCH (c:Class {repo: $repo, qualname: $name})
RETURN c.id AS id, c.qualname AS qualname, c.module AS module, c.kind AS kind,
       c.file AS file, coalesce(c.line, 0) AS line, coalesce(c.loc, 0) AS loc
"""

# Every field with how many places set it (0: never set).
CLASS_FIELDS = """
MATCH (c:Class {id: $id})-[:HAS_FIELD]->(f:Field)
OPTIONAL MATCH (code)-[s:SETS]->(f)
WITH f, count(s) AS sets
RETURN f.name AS name, coalesce(f.annotation, '') AS annotation,
       coalesce(f.has_default, false) AS has_default, coalesce(f.position, 0) AS position,
       coalesce(f.origin, '') AS origin, sets
ORDER BY position, name
"""

CLASS_METHODS = """
MATCH (c:Class {id: $id})-[:CONTAINS]->(f:Function)
RETURN f.name AS name, coalesce(f.loc, 0) AS loc, coalesce(f.is_property, false) AS is_property,
       coalesce(f.is_abstract, false) AS is_abstract, coalesce(f.line, 0) AS line
ORDER BY line, name
"""

CLASS_LOCAL_BASES = """
MATCH (c:Class {id: $id})-[r:INHERITS]->(b:Class)
RETURN b.qualname AS name, coalesce(r.position, 0) AS position, b.kind AS kind
ORDER BY position, name
"""

CLASS_EXTERNAL_BASES = """
MATCH (c:Class {id: $id})-[r:INHERITS]->(b:External)
RETURN b.qualname AS name, coalesce(r.position, 0) AS position
ORDER BY position, name
"""

CLASS_SUBCLASSES = """
MATCH (s:Class)-[:INHERITS]->(c:Class {id: $id})
RETURN s.qualname AS name, s.kind AS kind
ORDER BY name
"""

CALLER_LABELS = ("Function", "Module")
CALLEE_LABELS = ("Function", "Class")
SPAWN_TARGETS = ("Module", "EntryPoint")


def rows(store: Store, cypher: str, **params) -> list[dict]:
    return store.query(cypher, params).dicts()


def entry_points(store: Store, repo: str) -> list[dict]:
    return rows(store, ENTRY_POINTS, repo=repo)


def enters(store: Store, entry_ids: list[str]) -> list[dict]:
    """{src: entry point id, dst, dst_label (Function or Module)} for these entry points."""
    found = []
    for dst in ("Function", "Module"):
        found += _labelled(rows(store, _ENTERS.format(dst=dst), ids=entry_ids), dst)
    return sorted(found, key=lambda r: (r["src"], r["dst"]))


def named(store: Store, repo: str, label: str, name: str) -> list[str]:
    """Ids of the nodes of a label with that qualified name (`name` for Modules)."""
    key = "name" if label == "Module" else "qualname"
    return sorted(r["id"] for r in rows(store, _NAMED.format(label=label, key=key),
                                        repo=repo, name=name))


def calls_from(store: Store, ids: list[str], caller: str) -> list[dict]:
    """{src, dst, dst_label, line}: calls from these Functions or Modules to local code and to I/O."""
    found = []
    for callee in CALLEE_LABELS:
        found += _labelled(rows(store, _CALLS.format(src=caller, dst=callee), ids=ids), callee)
    found += _labelled(rows(store, _IO_CALLS.format(src=caller), ids=ids), "External")
    return found


def references_from(store: Store, ids: list[str]) -> list[dict]:
    return _labelled(rows(store, REFERENCES_FROM, ids=ids), "Function")


def spawns_from(store: Store, ids: list[str], caller: str) -> list[dict]:
    """{src, dst, dst_label, line, command}: subprocess hops made by these Functions or Modules."""
    found = []
    for target in SPAWN_TARGETS:
        found += _labelled(rows(store, _SPAWNS.format(src=caller, dst=target), ids=ids), target)
    return found


def nested_from(store: Store, ids: list[str]) -> list[dict]:
    return rows(store, NESTED_FROM, ids=ids)


def details(store: Store, label: str, ids: list[str]) -> list[dict]:
    """Names, places and sizes of nodes of one label, for labelling a diagram."""
    cypher = {"Function": FUNCTIONS, "Module": MODULES, "Class": CLASSES,
              "External": EXTERNALS}[label]
    return rows(store, cypher, ids=ids)


def modules(store: Store, repo: str) -> list[dict]:
    return rows(store, ALL_MODULES, repo=repo)


def module_imports(store: Store, repo: str) -> list[dict]:
    return rows(store, MODULE_IMPORTS, repo=repo)


def class_named(store: Store, repo: str, qualname: str) -> dict | None:
    found = rows(store, CLASS, repo=repo, name=qualname)
    return found[0] if found else None


def class_parts(store: Store, class_id: str) -> dict[str, list[dict]]:
    """Fields (with how often each is set), methods, bases and subclasses of one class."""
    return {"fields": rows(store, CLASS_FIELDS, id=class_id),
            "methods": rows(store, CLASS_METHODS, id=class_id),
            "bases": rows(store, CLASS_LOCAL_BASES, id=class_id),
            "external_bases": rows(store, CLASS_EXTERNAL_BASES, id=class_id),
            "subclasses": rows(store, CLASS_SUBCLASSES, id=class_id)}


def _labelled(found: list[dict], label: str) -> list[dict]:
    """Each row with the label of its `dst`, known from the query that found it."""
    return [{**row, "dst_label": label} for row in found]
