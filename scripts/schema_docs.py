"""What each label, property and relationship of the graph means, with an example query each.

Read by scripts/gen_docs.py to write docs/schema.md. Every example must return rows on the
docs fixture (tests/fixtures/docs_app), on both stores, and keep to the portable Cypher subset.
"""

LABELS = {
    "Module": "A Python source file (a package is its `__init__.py`). Files that could not be "
              "read or parsed are Modules too, with `parse_error` set and nothing inside.",
    "Class": "A class statement, at any depth.",
    "Function": "A `def` or `async def`, at any depth: functions, methods, nested functions; "
                "and each lambda (`is_lambda`, named `<lambdaN>` in its scope), whose body's "
                "calls are its own.",
    "Field": "An attribute of a class: declared in the class body (annotated or assigned) or "
             "assigned to `self` in a method.",
    "Variable": "A module-level name bound by assignment (constants included).",
    "CallSite": "One call expression, kept whether or not it was resolved, with its text.",
    "Assignment": "An assignment statement inside a function (or at module level).",
    "EntryPoint": "A way in from outside: a console script, a click/typer command with its full "
                  "name (`lem campaign`), an `if __name__ == \"__main__\":` block, a package's "
                  "`__main__.py`.",
    "External": "A stdlib or third-party symbol that code calls, imports, raises or subclasses "
                "(`subprocess.run`, `pathlib.Path.write_text`), with the kind of I/O it does.",
    "Clone": "A run of statements (names renamed, literals reduced to their type) that two or "
             "more functions share: a copy-paste candidate. Only shared runs are recorded.",
    "Load": "One per loaded repository: how, when and from what it was loaded.",
}

PROPERTIES = {
    "*": {
        "id": "unique across the store: repository, label and qualified name (call sites and "
              "assignments: file and position)",
        "repo": "the repository's name (`kg load --repo`); several can share one store",
        "file": "path of the source file, relative to the loaded folder",
        "line": "first line (1-based)",
        "end_line": "last line",
    },
    "Module": {
        "name": "dotted module name (`app.cli.main`), as the code imports it: from the "
                "import root of its project (a monorepo's sub-project: its own `src/` or "
                "folder)", "path": "same as `file`",
        "loc": "physical lines", "sloc": "lines that are not blank or comments",
        "is_package": "an `__init__.py`", "is_test": "under tests/ or named test_*.py, *_test.py, "
        "conftest.py", "parse_error": "why the file could not be read or parsed, else null",
        "budget_exceeded": "where the module's inference budget ran out (`kg load "
        "--inference-budget`), else null",
        "suppressions": "`# kg: ignore[rule-id] reason` comments as `line:rule-id,...` "
                        "(`*` for every rule)",
        "reach": "`entry` (a non-test entry point reaches it), `test` (only test code "
                 "does) or `none`; see REACHES", "reach_path": "evidence for `reach`: the entry "
                 "point's name (or the test), then qualified names along the shortest path",
    },
    "Class": {
        "name": "class name", "qualname": "dotted qualified name", "module": "module name",
        "kind": "plain, dataclass, pydantic, attrs, enum, exception, protocol, namedtuple, "
                "typeddict", "decorators": "decorator expressions as written",
        "bases": "base class expressions as written", "is_abstract": "an ABC or has abstract "
        "methods", "loc": "physical lines", "sloc": "non-blank, non-comment lines",
    },
    "Function": {
        "name": "function name", "qualname": "dotted qualified name (`mod.Class.method`, "
        "`mod.outer.inner`)", "module": "module name", "is_method": "defined in a class body",
        "is_async": "`async def`", "is_property": "decorated as a property, setter or cached "
        "property", "is_classmethod": "`@classmethod`", "is_staticmethod": "`@staticmethod`",
        "is_abstract": "`@abstractmethod`", "decorators": "decorator expressions as written",
        "params": "parameter names (`*args`, `**kwargs` marked)", "loc": "physical lines",
        "sloc": "non-blank, non-comment lines", "statements": "statements in the body "
        "(nested blocks included, docstring and nested definitions' bodies not)",
        "complexity": "cyclomatic complexity", "fingerprint": "hash of the body's shape with "
        "names and literals normalised: equal fingerprints are clone candidates",
        "reach": "`entry` (a non-test entry point reaches it), `test` (only test code "
                 "does) or `none`; see REACHES", "reach_path": "evidence for `reach`: the entry "
                 "point's name (or the test), then qualified names along the shortest path",
        "is_lambda": "a lambda, named `<lambdaN>` in its enclosing scope as PyCG names it "
                     "(true; null for a `def`)",
    },
    "Field": {
        "name": "attribute name", "qualname": "`module.Class.field`", "owner": "the class's "
        "qualified name", "annotation": "annotation as written", "has_default": "declared "
        "with a default value", "default_value": "the default, short text",
        "origin": "`class_body` or `self_assign`", "position": "declaration order in the "
        "class (constructor order for dataclass-like classes)",
        "is_classvar": "annotated `ClassVar`",
    },
    "Variable": {
        "name": "name", "qualname": "`module.name`", "module": "module name",
        "value": "assigned value, short text", "is_constant": "an UPPER_CASE name",
    },
    "CallSite": {
        "callee_text": "the called expression as written", "caller": "qualified name of the "
        "enclosing function or module", "col": "column", "args": "positional argument count",
        "keywords": "keyword argument names", "star_args": "passes `*args`",
        "star_kwargs": "passes `**kwargs`", "resolved": "`inference`, `name` (fallback by "
        "name when inference gave nothing) or `unresolved`", "confidence": "1.0 for a single "
        "inferred target, lower when several candidates or name matching",
    },
    "Assignment": {
        "target_text": "target as written", "kind": "name, attribute, subscript or augmented",
        "value_text": "value as written, short", "col": "column",
    },
    "EntryPoint": {
        "name": "the command as a user types it (`lem campaign`, `python -m app`)",
        "kind": "console_script, cli_command, main_block, module_exec, tool_run (a file a "
                "tool runs by name: setup.py, noxfile.py, fabfile.py, Sphinx's docs/conf.py; "
                "Django's conventional modules in code that uses Django)", "target": "what it "
        "points at, as written (`app.cli:main`)", "source": "where it was found "
        "(pyproject.toml, setup.cfg, setup.py, a decorator, a main block)",
    },
    "External": {
        "name": "last part of the qualified name", "qualname": "dotted name "
        "(`subprocess.run`, `builtins.open`)", "io": "read, write, subprocess, network or empty",
    },
    "Clone": {
        "fingerprint": "hash of the run's shape", "statements": "statements in the run",
        "functions": "functions that contain it",
    },
    "Load": {
        "schema_version": "graph schema version", "kg_version": "kg's version",
        "source": "absolute path that was loaded", "commit": "git commit checked out there, "
        "if any", "started": "UTC start time", "finished": "UTC end time", "seconds": "duration",
        "files": "Python files found", "file_hashes": "JSON: file → sha256",
        "counts": "JSON: label or relationship type → count",
        "parse_errors": "`file: message` for each file that could not be read or parsed",
        "budget_exceeded": "`file: message` for each module whose inference budget ran out",
        "calls_total": "call sites", "calls_inferred": "resolved by inference",
        "calls_by_name": "resolved by name fallback", "calls_unresolved": "not resolved",
        "local_calls": "call sites whose callee name is a function or class of the loaded code",
        "local_calls_inferred": "of those, resolved by inference",
        "mode": "full, or incremental (unchanged modules' facts reused, docs/incremental.md)",
        "reextracted": "modules extracted by this load (all of them in a full load)",
    },
    "IMPORTS": {
        "names": "imported names (`*` for a star import)", "line": "line of the import",
        "type_checking": "under `if TYPE_CHECKING:`", "in_function": "inside a function",
        "is_star": "`from m import *`", "is_relative": "a relative import",
        "dynamic": "imported by name at run time: a call importing it by a literal "
                   "(`importlib.import_module(\"app.plugins.csv\")`, `__import__`), or a "
                   "string spelling its dotted name, alone or with a name it defines "
                   "(extension lists, settings, registries)",
    },
    "INHERITS": {"position": "0 for the first base"},
    "CALLS": {"line": "line of the call", "resolved": "as on the CallSite",
              "confidence": "as on RESOLVES_TO"},
    "RESOLVES_TO": {"resolved": "inference or name", "confidence": "share of this candidate"},
    "SETS": {"via": "how: constructor keyword, positional, attribute, setattr, dict unpacking, "
                    "model_validate, model_copy update, dataclasses.replace", "line": "line"},
    "READS": {"line": "line"},
    "REFERENCES": {"line": "line", "kind": "value, decorator or annotation",
                   "in_annotation": "inside a type annotation"},
    "RAISES": {"line": "line"},
    "CATCHES": {"line": "line"},
    "SPAWNS": {"command": "the reconstructed command line"},
    "REACHES": {"depth": "hops from the entry point's own function or module",
                "via_subprocess": "only through a subprocess hop (SPAWNS)"},
    "HAS_CLONE": {"line": "first line of the run in this function",
                  "end_line": "last line of the run"},
}

RELATIONSHIP_DOCS = {
    "CONTAINS": "Lexical nesting: a module contains its classes, functions, variables; a class "
                "its methods; a function its call sites, assignments and nested definitions.",
    "HAS_FIELD": "A class's fields.",
    "IMPORTS": "A module imports another module of the loaded code, or an external one: "
               "by an import statement, or by a call naming it (`dynamic`).",
    "INHERITS": "A class's bases, in order.",
    "CALLS": "A function (or module-level code) calls a function, constructs a class, or "
             "calls an external symbol. One edge per call site and target.",
    "RESOLVES_TO": "A call site's candidate targets; several when inference gives several.",
    "SETS": "Code that sets a field, and how.",
    "READS": "Code that reads a field.",
    "REFERENCES": "A non-call use: a function passed as a value, a decorator, an annotation.",
    "RAISES": "Code that raises an exception class.",
    "CATCHES": "Code that catches an exception class.",
    "ENTERS": "An entry point's own function or module.",
    "SPAWNS": "A call site that starts a subprocess running a module (`python -m app.worker`) "
              "or a console script of the loaded project.",
    "REACHES": "What an entry point can get to, derived after loading: ENTERS, CALLS, "
               "non-annotation REFERENCES, imports (a function runs its module, a module its "
               "imports and parent packages), decorator registration, a reached class's "
               "implicit methods and subclass overrides, nested definitions, then SPAWNS.",
    "HAS_CLONE": "A function contains a run of statements that another function also contains.",
}

EXAMPLES = {
    "Module": """
// modules by size
MATCH (m:Module) WHERE m.is_test = false
RETURN m.name, m.loc, m.sloc ORDER BY m.loc DESC, m.name LIMIT 10""",
    "Class": """
// classes by kind
MATCH (c:Class) RETURN c.kind, count(c) AS classes ORDER BY classes DESC""",
    "Function": """
// the longest functions
MATCH (f:Function) RETURN f.qualname, f.file, f.line, f.loc ORDER BY f.loc DESC, f.qualname LIMIT 10""",
    "Field": """
// fields per class
MATCH (c:Class)-[:HAS_FIELD]->(f:Field)
RETURN c.qualname, count(f) AS n ORDER BY n DESC, c.qualname LIMIT 10""",
    "Variable": """
// module constants
MATCH (v:Variable) WHERE v.is_constant RETURN v.qualname, v.value ORDER BY v.qualname""",
    "CallSite": """
// calls nothing could resolve
MATCH (s:CallSite) WHERE s.resolved = 'unresolved'
RETURN s.file, s.line, s.callee_text ORDER BY s.file, s.line, s.callee_text LIMIT 20""",
    "Assignment": """
// attribute writes inside functions
MATCH (f:Function)-[:CONTAINS]->(a:Assignment) WHERE a.kind = 'attribute'
RETURN f.qualname, a.target_text, a.line ORDER BY f.qualname, a.line""",
    "EntryPoint": """
// every way in
MATCH (e:EntryPoint) RETURN e.kind, e.name, e.target ORDER BY e.kind, e.name""",
    "External": """
// external symbols that write files
MATCH (x:External) WHERE x.io = 'write' RETURN x.qualname ORDER BY x.qualname""",
    "Clone": """
// copy-paste candidates: functions sharing runs of statements
MATCH (a:Function)-[h:HAS_CLONE]->(c:Clone)<-[:HAS_CLONE]-(b:Function) WHERE a.id < b.id
RETURN a.qualname, b.qualname, count(c) AS runs, min(h.line) AS from_line ORDER BY runs DESC""",
    "Load": """
// what is loaded
MATCH (l:Load) RETURN l.repo, l.source, l.commit, l.files, l.finished""",
    "CONTAINS": """
// methods per class
MATCH (c:Class)-[:CONTAINS]->(f:Function)
RETURN c.qualname, count(f) AS methods ORDER BY methods DESC""",
    "HAS_FIELD": """
// fields of dataclasses with their defaults
MATCH (c:Class)-[:HAS_FIELD]->(f:Field) WHERE c.kind = 'dataclass'
RETURN c.qualname, f.name, f.annotation, f.default_value ORDER BY c.qualname, f.position""",
    "IMPORTS": """
// modules nothing imports
MATCH (m:Module) WHERE NOT (:Module)-[:IMPORTS]->(m) AND m.is_test = false
RETURN m.name ORDER BY m.name""",
    "INHERITS": """
// subclasses of each local class
MATCH (sub:Class)-[:INHERITS]->(base:Class) RETURN base.qualname, sub.qualname ORDER BY base.qualname, sub.qualname""",
    "CALLS": """
// the most called functions
MATCH (caller)-[:CALLS]->(f:Function)
RETURN f.qualname, count(caller) AS callers ORDER BY callers DESC, f.qualname LIMIT 10""",
    "RESOLVES_TO": """
// call sites with several candidate targets
MATCH (s:CallSite)-[r:RESOLVES_TO]->(t)
WITH s, count(t) AS n WHERE n > 1
RETURN s.file, s.line, s.callee_text, n ORDER BY s.file, s.line""",
    "SETS": """
// how each field is set
MATCH (code)-[s:SETS]->(f:Field)
RETURN f.qualname, s.via, count(code) AS n ORDER BY f.qualname, s.via""",
    "READS": """
// fields read and by how many functions
MATCH (fn:Function)-[:READS]->(f:Field) RETURN f.qualname, count(fn) AS readers ORDER BY f.qualname""",
    "REFERENCES": """
// functions used as values or decorators
MATCH (code)-[r:REFERENCES]->(f:Function) RETURN f.qualname, r.kind, r.line ORDER BY f.qualname, r.line""",
    "RAISES": """
// who raises what
MATCH (f:Function)-[r:RAISES]->(e:Class) RETURN e.qualname, f.qualname, r.line ORDER BY e.qualname, f.qualname""",
    "CATCHES": """
// who catches what
MATCH (f:Function)-[r:CATCHES]->(e:Class) RETURN e.qualname, f.qualname, r.line ORDER BY e.qualname, f.qualname""",
    "ENTERS": """
// commands and their functions
MATCH (e:EntryPoint)-[:ENTERS]->(f:Function) RETURN e.name, f.qualname, f.file, f.line ORDER BY e.name""",
    "REACHES": """
// how much each entry point reaches, and how deep
MATCH (e:EntryPoint)-[r:REACHES]->(f:Function)
RETURN e.name, count(f) AS functions, max(r.depth) AS depth ORDER BY functions DESC""",
    "HAS_CLONE": """
// the runs a function shares, with where they start
MATCH (f:Function)-[h:HAS_CLONE]->(c:Clone)
RETURN f.qualname, h.line, h.end_line, c.functions ORDER BY f.qualname, h.line""",
    "SPAWNS": """
// subprocess hops into modules of the project
MATCH (f:Function)-[:CONTAINS]->(s:CallSite)-[h:SPAWNS]->(m:Module)
RETURN f.qualname, h.command, m.name ORDER BY f.qualname""",
}
