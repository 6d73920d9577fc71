"""The graph vocabulary (schema v1) as data.

Both stores generate their schema from these tables, the docs describe them,
and the loader's tests check every fact against them, so the vocabulary lives
in exactly one place. Types are the embedded store's names; the Neo4j store
maps them.
"""

SCHEMA_VERSION = 2

STRING = "STRING"
INT = "INT64"
BOOL = "BOOLEAN"
FLOAT = "DOUBLE"
STRINGS = "STRING[]"

# Properties every node carries. `id` is unique across repositories.
# Names that are reserved words in Cypher dialects (`default`, `order`) are avoided:
# LadybugDB cannot parse `f.order`, so fields use `default_value` and `position`.
COMMON = {"id": STRING, "repo": STRING, "file": STRING, "line": INT, "end_line": INT}

NODES: dict[str, dict[str, str]] = {
    "Module": {
        "name": STRING, "path": STRING, "loc": INT, "sloc": INT, "is_package": BOOL,
        "is_test": BOOL, "parse_error": STRING, "budget_exceeded": STRING,
        "suppressions": STRINGS,
        "reach": STRING, "reach_path": STRINGS,
    },
    "Class": {
        "name": STRING, "qualname": STRING, "module": STRING, "kind": STRING,
        "decorators": STRINGS, "bases": STRINGS, "is_abstract": BOOL, "loc": INT, "sloc": INT,
    },
    "Function": {
        "name": STRING, "qualname": STRING, "module": STRING, "is_method": BOOL,
        "is_async": BOOL, "is_property": BOOL, "is_classmethod": BOOL, "is_staticmethod": BOOL,
        "is_abstract": BOOL, "decorators": STRINGS, "params": STRINGS, "loc": INT, "sloc": INT,
        "statements": INT, "complexity": INT, "fingerprint": STRING,
        "reach": STRING, "reach_path": STRINGS, "is_lambda": BOOL,
    },
    "Field": {
        "name": STRING, "qualname": STRING, "owner": STRING, "annotation": STRING,
        "has_default": BOOL, "default_value": STRING, "origin": STRING, "position": INT,
        "is_classvar": BOOL,
    },
    "Variable": {
        "name": STRING, "qualname": STRING, "module": STRING, "value": STRING,
        "is_constant": BOOL,
    },
    "CallSite": {
        "callee_text": STRING, "caller": STRING, "col": INT, "args": INT, "keywords": STRINGS,
        "star_args": BOOL, "star_kwargs": BOOL, "resolved": STRING, "confidence": FLOAT,
    },
    "Assignment": {
        "target_text": STRING, "kind": STRING, "value_text": STRING, "col": INT,
    },
    "EntryPoint": {
        "name": STRING, "kind": STRING, "target": STRING, "source": STRING,
    },
    "External": {
        "name": STRING, "qualname": STRING, "io": STRING,
    },
    "Clone": {
        "fingerprint": STRING, "statements": INT, "functions": INT,
    },
    "Load": {
        "schema_version": INT, "kg_version": STRING, "source": STRING, "commit": STRING,
        "started": STRING, "finished": STRING, "seconds": FLOAT, "files": INT,
        "file_hashes": STRING, "counts": STRING, "parse_errors": STRINGS,
        "budget_exceeded": STRINGS,
        "calls_total": INT, "calls_inferred": INT, "calls_by_name": INT,
        "calls_unresolved": INT, "local_calls": INT, "local_calls_inferred": INT,
        "mode": STRING, "reextracted": INT,
    },
}

_CALLERS = ("Function", "Module")
_TARGETS = ("Function", "Class", "External")


def _pairs(sources, targets):
    return [(s, t) for s in sources for t in targets]


# type -> (FROM/TO label pairs, properties)
RELATIONSHIPS: dict[str, tuple[list[tuple[str, str]], dict[str, str]]] = {
    "CONTAINS": (
        _pairs(["Module"], ["Class", "Function", "Variable", "CallSite", "Assignment"])
        + _pairs(["Class"], ["Function", "Class", "CallSite", "Assignment"])
        + _pairs(["Function"], ["Function", "Class", "CallSite", "Assignment"]),
        {},
    ),
    "HAS_FIELD": ([("Class", "Field")], {}),
    "IMPORTS": (
        _pairs(["Module"], ["Module", "External"]),
        {"names": STRINGS, "line": INT, "type_checking": BOOL, "in_function": BOOL,
         "is_star": BOOL, "is_relative": BOOL, "dynamic": BOOL},
    ),
    "INHERITS": (_pairs(["Class"], ["Class", "External"]), {"position": INT}),
    "CALLS": (_pairs(_CALLERS, _TARGETS), {"line": INT, "resolved": STRING, "confidence": FLOAT}),
    "RESOLVES_TO": (_pairs(["CallSite"], _TARGETS), {"resolved": STRING, "confidence": FLOAT}),
    "SETS": (_pairs(_CALLERS, ["Field"]), {"via": STRING, "line": INT}),
    "READS": (_pairs(_CALLERS, ["Field"]), {"line": INT}),
    "REFERENCES": (
        _pairs(_CALLERS + ("Class",), ["Class", "Function", "Variable", "External"]),
        {"line": INT, "kind": STRING, "in_annotation": BOOL},
    ),
    "RAISES": (_pairs(_CALLERS, ["Class", "External"]), {"line": INT}),
    "CATCHES": (_pairs(_CALLERS, ["Class", "External"]), {"line": INT}),
    "ENTERS": (_pairs(["EntryPoint"], ["Function", "Module"]), {}),
    "SPAWNS": (_pairs(["CallSite"], ["Module", "EntryPoint"]), {"command": STRING}),
    "REACHES": (_pairs(["EntryPoint"], ["Function", "Module"]),
                {"depth": INT, "via_subprocess": BOOL}),
    "HAS_CLONE": ([("Function", "Clone")], {"line": INT, "end_line": INT}),
}


def node_properties(label: str) -> dict[str, str]:
    """All properties of a label, common ones first, in a fixed order."""
    return {**COMMON, **NODES[label]}
