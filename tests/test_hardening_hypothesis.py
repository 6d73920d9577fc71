"""No crash on valid code: hypothesis generates small projects of Python modules (classes
with bases and decorators, methods setting attributes, calls, lambdas, comprehensions,
control flow, match statements, imports between the generated modules) as `ast` trees,
unparses them, and loads them. The loader never raises and never records a step error;
a few projects also go through the embedded store, extracted by two processes.
"""

from __future__ import annotations

import ast
import tempfile
import warnings
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kg import api
from kg.loader import extract
from reliability_record import record

MODULES = ("m0", "m1", "m2")
CLASSES = ("C0", "C1")
FUNCTIONS = ("f0", "f1")
LOCALS = ("a", "b", "item")
NAMES = (*LOCALS, *CLASSES, *FUNCTIONS, *MODULES, "self", "print", "len", "dict", "list",
         "super", "object", "int", "str", "setattr", "getattr", "dataclass", "property",
         "os", "subprocess", "open")
ATTRIBUTES = ("x", "y", "run", "items", "append", "path", "join", "value", "f0", "C1",
              "__init__", "model_copy", "write_text")
KEYWORDS = ("x", "y", "key", "update", "default")


def name(ctx=ast.Load) -> st.SearchStrategy:
    return st.sampled_from(NAMES).map(lambda n: ast.Name(n, ctx()))


constants = st.one_of(st.integers(-3, 300), st.sampled_from(["", "s", "a.b", "-m"]),
                      st.none(), st.booleans()).map(ast.Constant)


def _call(func, args, keywords) -> ast.Call:
    unique = {k: v for k, v in keywords}
    return ast.Call(func, args, [ast.keyword(k, v) for k, v in unique.items()])


def _lambda(params: list[str], body: ast.expr) -> ast.Lambda:
    return ast.Lambda(_arguments(params), body)


def _arguments(params: list[str], vararg: bool = False, kwarg: bool = False,
               defaults: int = 0) -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[ast.arg(p) for p in params],
                         vararg=ast.arg("args") if vararg else None, kwonlyargs=[],
                         kw_defaults=[], kwarg=ast.arg("kwargs") if kwarg else None,
                         defaults=[ast.Constant(None)] * min(defaults, len(params)))


def _comprehension(kind, elt, source, condition):
    generator = ast.comprehension(ast.Name("item", ast.Store()), source,
                                  [condition] if condition is not None else [], 0)
    if kind is ast.DictComp:
        return ast.DictComp(elt, elt, [generator])
    return kind(elt, [generator])


def _extend(inner: st.SearchStrategy) -> st.SearchStrategy:
    params = st.lists(st.sampled_from(LOCALS), max_size=2, unique=True)
    return st.one_of(
        st.builds(ast.Attribute, inner, st.sampled_from(ATTRIBUTES), st.just(ast.Load())),
        st.builds(_call, inner, st.lists(inner, max_size=2),
                  st.lists(st.tuples(st.sampled_from(KEYWORDS), inner), max_size=2)),
        st.builds(lambda f, a: ast.Call(f, [ast.Starred(a, ast.Load())], []), inner, inner),
        st.builds(lambda f, a: ast.Call(f, [], [ast.keyword(None, a)]), inner, inner),
        st.builds(_lambda, params, inner),
        st.builds(_comprehension, st.sampled_from([ast.ListComp, ast.SetComp, ast.GeneratorExp,
                                                   ast.DictComp]),
                  inner, inner, st.none() | inner),
        st.builds(ast.BinOp, inner, st.sampled_from([ast.Add(), ast.Mod(), ast.BitOr()]),
                  inner),
        st.builds(ast.Subscript, inner, inner, st.just(ast.Load())),
        st.builds(ast.IfExp, inner, inner, inner),
        st.builds(lambda e: ast.Tuple(e, ast.Load()), st.lists(inner, max_size=3)),
        st.builds(lambda k, v: ast.Dict(k, v), st.lists(constants, min_size=1, max_size=2),
                  st.lists(inner, min_size=2, max_size=2)).map(
            lambda d: ast.Dict(d.keys, d.values[:len(d.keys)])),
        st.builds(lambda v: ast.JoinedStr([ast.Constant("v="), ast.FormattedValue(v, -1)]),
                  inner),
        st.builds(lambda t, v: ast.NamedExpr(ast.Name(t, ast.Store()), v),
                  st.sampled_from(LOCALS), inner),
    )


expressions = st.recursive(st.one_of(name(), constants), _extend, max_leaves=8)


@cache
def _target() -> st.SearchStrategy:
    return st.one_of(
        st.sampled_from(LOCALS).map(lambda n: ast.Name(n, ast.Store())),
        st.builds(lambda obj, attr: ast.Attribute(ast.Name(obj, ast.Load()), attr, ast.Store()),
                  st.sampled_from(("self", "a", "C0", "m1")), st.sampled_from(ATTRIBUTES)),
        st.builds(lambda obj, key: ast.Subscript(ast.Name(obj, ast.Load()), key, ast.Store()),
                  st.sampled_from(LOCALS), constants),
        st.just(ast.Tuple([ast.Name("a", ast.Store()), ast.Name("b", ast.Store())],
                          ast.Store())),
    )


@cache
def _simple_statements(in_function: bool) -> st.SearchStrategy:
    options = [
        expressions.map(ast.Expr),
        st.builds(lambda t, v: ast.Assign([t], v, lineno=1), _target(), expressions),
        st.builds(ast.AugAssign, st.sampled_from(LOCALS).map(lambda n: ast.Name(n, ast.Store())),
                  st.just(ast.Add()), expressions),
        st.builds(lambda n, ann, v: ast.AnnAssign(ast.Name(n, ast.Store()), ann, v, 1),
                  st.sampled_from(LOCALS), name(), st.none() | expressions),
        st.builds(ast.Raise, expressions, st.none()),
        st.builds(ast.Assert, expressions, st.none()),
        st.just(ast.Pass()),
        st.builds(lambda n: ast.Delete([ast.Name(n, ast.Del())]), st.sampled_from(LOCALS)),
        _imports(),
    ]
    if in_function:
        options += [st.builds(ast.Return, st.none() | expressions),
                    expressions.map(lambda e: ast.Expr(ast.Yield(e)))]
    return st.one_of(options)


@cache
def _imports() -> st.SearchStrategy:
    return st.one_of(
        st.builds(lambda m, alias: ast.Import([ast.alias(f"gen.{m}", alias)]),
                  st.sampled_from(MODULES), st.none() | st.sampled_from(LOCALS)),
        st.builds(lambda m, n: ast.ImportFrom(f"gen.{m}", [ast.alias(n, None)], 0),
                  st.sampled_from(MODULES), st.sampled_from((*CLASSES, *FUNCTIONS, "missing"))),
        st.builds(lambda m: ast.ImportFrom("gen", [ast.alias(m, None)], 0),
                  st.sampled_from(MODULES)),
        st.builds(lambda m: ast.ImportFrom(None, [ast.alias(m, None)], 1),
                  st.sampled_from(MODULES)),
        st.sampled_from(["os", "subprocess", "dataclasses", "functools", "typing"]).map(
            lambda m: ast.Import([ast.alias(m, None)])),
        st.just(ast.ImportFrom("dataclasses", [ast.alias("dataclass", None)], 0)),
        st.builds(lambda m: ast.ImportFrom(f"gen.{m}", [ast.alias("*", None)], 0),
                  st.sampled_from(MODULES)),
    )


@cache
def _statements(depth: int, in_function: bool, in_loop: bool = False) -> st.SearchStrategy:
    simple = _simple_statements(in_function)
    if in_loop:
        simple = simple | st.sampled_from([ast.Break(), ast.Continue()])
    if depth <= 0:
        return st.lists(simple, min_size=1, max_size=3)
    body = _statements(depth - 1, in_function, in_loop)
    loop_body = _statements(depth - 1, in_function, True)
    compound = st.one_of(
        st.builds(ast.If, expressions, body, st.lists(simple, max_size=1)),
        st.builds(lambda t, it, b: ast.For(ast.Name(t, ast.Store()), it, b, [], lineno=1),
                  st.sampled_from(LOCALS), expressions, loop_body),
        st.builds(ast.While, expressions, loop_body, st.just([])),
        st.builds(lambda e, v, b: ast.With([ast.withitem(e, v)], b, lineno=1), expressions,
                  st.none() | st.sampled_from(LOCALS).map(lambda n: ast.Name(n, ast.Store())),
                  body),
        st.builds(lambda b, t, n, h, f: ast.Try(b, [ast.ExceptHandler(t, n, h)], [], f),
                  body, st.none() | name(), st.none() | st.sampled_from(("e", "err")), body,
                  st.lists(simple, max_size=1)),
        st.builds(_match, expressions, body),
        _function(depth - 1),
        _class(depth - 1),
    )
    return st.lists(st.one_of(simple, compound), min_size=1, max_size=4)


def _match(subject: ast.expr, body: list[ast.stmt]) -> ast.Match:
    cases = [
        ast.match_case(ast.MatchClass(ast.Name("C0", ast.Load()), [], ["x"],
                                      [ast.MatchAs(None, "a")]), None, body),
        ast.match_case(ast.MatchValue(ast.Constant(1)), None, [ast.Pass()]),
        ast.match_case(ast.MatchAs(None, None), None, [ast.Pass()]),
    ]
    return ast.Match(subject, cases)


DECORATORS = st.lists(st.one_of(
    st.sampled_from(["property", "staticmethod", "classmethod", "dataclass", "f0", "C1"]).map(
        lambda n: ast.Name(n, ast.Load())),
    st.builds(lambda f, v: ast.Call(ast.Name(f, ast.Load()), [v], []),
              st.sampled_from(["f1", "dataclass"]), expressions)), max_size=2)


@cache
def _function(depth: int) -> st.SearchStrategy:
    return st.builds(
        lambda n, params, vararg, kwarg, defaults, body, decorators, is_async:
        (ast.AsyncFunctionDef if is_async else ast.FunctionDef)(
            n, _arguments(params, vararg, kwarg, defaults), body, decorators, None, lineno=1),
        st.sampled_from((*FUNCTIONS, "__init__", "run", "helper")),
        st.lists(st.sampled_from(("self", *LOCALS)), max_size=3, unique=True),
        st.booleans(), st.booleans(), st.integers(0, 2),
        st.deferred(lambda: _statements(depth, in_function=True)), DECORATORS, st.booleans())


@cache
def _class(depth: int) -> st.SearchStrategy:
    bases = st.lists(st.one_of(
        st.sampled_from((*CLASSES, "object", "Exception", "dict")).map(
            lambda n: ast.Name(n, ast.Load())),
        st.builds(lambda m, c: ast.Attribute(ast.Name(m, ast.Load()), c, ast.Load()),
                  st.sampled_from(MODULES), st.sampled_from(CLASSES))), max_size=2, unique_by=ast.dump)
    fields = st.lists(st.builds(
        lambda n, ann, v: ast.AnnAssign(ast.Name(n, ast.Store()), ann, v, 1),
        st.sampled_from(("x", "y", "value")), name(), st.none() | constants), max_size=2)
    return st.builds(
        lambda n, b, f, body, decorators: ast.ClassDef(n, b, [], f + body or [ast.Pass()],
                                                       decorators),
        st.sampled_from(CLASSES), bases, fields,
        st.lists(_function(depth), max_size=2) if depth >= 0 else st.just([]), DECORATORS)


@st.composite
def projects(draw) -> dict[str, str]:
    """gen/__init__.py and two or three modules, each compiled to be sure it is valid."""
    files = {"gen/__init__.py": ""}
    for module in MODULES[:draw(st.integers(2, 3))]:
        body = draw(st.lists(st.one_of(_class(1), _function(1), _simple_statements(False),
                                       _statements(1, in_function=False)), min_size=1,
                             max_size=5))
        flat = [s for item in body for s in (item if isinstance(item, list) else [item])]
        tree = ast.fix_missing_locations(ast.Module(flat, []))
        source = ast.unparse(tree) + "\n"
        try:
            with warnings.catch_warnings():     # "'int' object is not callable" and the like
                warnings.simplefilter("ignore")
                compile(source, f"{module}.py", "exec")
        except SyntaxError:
            assume(False)
        files[f"gen/{module}.py"] = source
    return files


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                       HealthCheck.data_too_large])
_seen = {"examples": 0, "crashes": 0}


def _counted(load):
    """Count the examples loaded and the ones that raised (hypothesis re-runs a failing one
    while shrinking it, so any crash counts at least once)."""
    try:
        result = load()
    except BaseException:
        _seen["crashes"] += 1
        raise
    _seen["examples"] += 1
    return result


@settings(max_examples=300, **SETTINGS)
@given(projects())
def test_the_loader_never_raises_on_valid_code(files):
    with tempfile.TemporaryDirectory() as tmp:
        _write(Path(tmp), files)
        extraction = _counted(lambda: extract(Path(tmp), "gen", strict=True, jobs=1))
    assert extraction.step_errors == {}
    assert extraction.parse_errors == {}
    modules = {row["name"] for row in extraction.facts.nodes["Module"].values()}
    assert modules == {"gen", *(rel[4:-3] and f"gen.{rel[4:-3]}" for rel in files
                                if rel != "gen/__init__.py")}


@settings(max_examples=6, **SETTINGS)
@given(projects())
def test_generated_projects_load_into_the_store(files):
    with tempfile.TemporaryDirectory() as tmp:
        _write(Path(tmp) / "src", files)
        summary = _counted(lambda: api.load(Path(tmp) / "src", store=str(Path(tmp) / "store"),
                                            repo="gen", jobs=2))
    assert summary.step_errors == {} and summary.parse_errors == {}
    assert summary.counts["Module"] == len(files)


def test_record_the_examples():
    """Runs after the two above (file order): what docs/reliability.md reports."""
    record("hypothesis", "generated projects", examples=_seen["examples"],
           crashes=_seen["crashes"])
    assert _seen["examples"] > 0 and _seen["crashes"] == 0
