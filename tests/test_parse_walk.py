"""kg's walk of astroid's transform pass (transform_walk.py) does what astroid's own does, and
the cheaper nesting check of parse.py names what the old one named."""

from __future__ import annotations

import gc
import inspect
import textwrap

import astroid
import pytest
from astroid import nodes
from astroid.builder import AstroidBuilder
from astroid.transforms import TransformVisitor

from kg.loader import inference_cache, parse, transform_walk

ASTROIDS_VISIT = transform_walk._ASTROIDS_OWN[0]

CODE = textwrap.dedent("""
    x = [1, 2, swap, (1, deep), [1, [deep, 1]]]
    d = {1: swap, "k": [deep, 1], **{1: 1}}


    def f(a=1, *args, b=swap, **kw):
        return deep(1) + swap + f(*[1], **{"k": 1})


    class C(Base, metaclass=swap):
        y: int = 1
        lambda_ = lambda q=1: q + swap
""")


def _with_test_transforms(visit) -> tuple[str, list]:
    """The tree of CODE after visit ran a set of transforms that exercise every rule of the
    pass (replacement in a list, a tuple and a single field; a transform returning None or a
    node of another class ends the node's transforms; RecursionError leaves the node as it
    was), with the order in which they were called."""
    calls = []
    visitor = TransformVisitor()

    def hundredfold(node):
        calls.append(("hundredfold", node.lineno, node.col_offset))
        return nodes.Const(node.value * 100, lineno=node.lineno, col_offset=node.col_offset,
                           parent=node.parent, end_lineno=node.end_lineno,
                           end_col_offset=node.end_col_offset)

    def noted(node):
        calls.append(("noted", node.lineno, node.col_offset, node.value))

    def never(node):
        calls.append(("never", node.lineno, node.col_offset))

    def too_deep(node):
        calls.append(("too_deep", node.lineno, node.col_offset))
        raise RecursionError

    def swapped(node):
        calls.append(("swapped", node.lineno, node.col_offset))
        return nodes.Const("swapped", lineno=node.lineno, col_offset=node.col_offset,
                           parent=node.parent, end_lineno=node.end_lineno,
                           end_col_offset=node.end_col_offset)

    def named(node):
        calls.append(("named", node.name, node.lineno, node.col_offset))
        return node

    visitor.register_transform(nodes.Const, hundredfold, lambda n: n.value == 1)
    visitor.register_transform(nodes.Const, noted)
    visitor.register_transform(nodes.Const, never)
    visitor.register_transform(nodes.Name, too_deep, lambda n: n.name == "deep")
    visitor.register_transform(nodes.Name, swapped, lambda n: n.name == "swap")
    visitor.register_transform(nodes.Name, named)
    tree = astroid.parse(CODE, apply_transforms=False)
    result = visit(visitor, tree)
    return result.repr_tree(), calls


@pytest.mark.filterwarnings("ignore:Astroid was unable to transform")
def test_the_walk_transforms_as_astroids_does_in_the_same_order():
    assert transform_walk.applies()
    kg_tree, kg_calls = _with_test_transforms(transform_walk._visit)
    astroid_tree, astroid_calls = _with_test_transforms(ASTROIDS_VISIT)
    assert kg_calls == astroid_calls
    assert kg_tree == astroid_tree
    # the transforms did change the tree and cut each other short as the rules say
    kinds = {call[0] for call in kg_calls}
    assert kinds == {"hundredfold", "noted", "too_deep", "swapped", "named"}
    assert "value=100" in kg_tree and "value='swapped'" in kg_tree
    assert "name='deep'" in kg_tree and "name='swap'" not in kg_tree


def _tips(code: str, name: str) -> list:
    """Per Call of code built by astroid with its brain, the inference function a transform
    attached to it (None for none)."""
    tree = AstroidBuilder(astroid.MANAGER).string_build(textwrap.dedent(code), name)
    astroid.MANAGER.astroid_cache.pop(name, None)
    found = []
    for call in tree.nodes_of_class(nodes.Call):
        tip = call._explicit_inference
        found.append((call.lineno, call.col_offset, call.func.as_string(),
                      None if tip is None else inspect.getclosurevars(tip).nonlocals["func"]))
    return found


BRAIN_CODE = """
    import collections, enum, typing
    n = len([1, 2]) + int("3") + abs(-1)
    keys = dict.fromkeys("ab")
    T = type("T", (), {})
    ok = isinstance(n, int) and issubclass(T, object) and callable(len)
    p = collections.namedtuple("P", "x y")
    E = enum.Enum("E", "A B")
    V = typing.TypeVar("V")
    "{}".format(n)
    obj.method(n)(1)
    f()(2)
    [getattr][0](obj, "x")
    super
"""


def test_with_astroids_brain_the_walk_attaches_the_same_inference_tips():
    with transform_walk.walked():
        assert TransformVisitor.visit is transform_walk._visit
        kg = _tips(BRAIN_CODE, "kg_walk_brain_a")
    assert TransformVisitor.visit is ASTROIDS_VISIT
    theirs = _tips(BRAIN_CODE, "kg_walk_brain_b")
    assert kg == theirs
    tipped = {func for _, _, func, tip in kg if tip is not None}
    assert {"len", "int", "dict.fromkeys", "type", "isinstance", "issubclass",
            "collections.namedtuple", "enum.Enum", "typing.TypeVar"} <= tipped
    assert not {"abs", "obj.method", "obj.method(n)", "f", "f()"} & tipped


def test_every_build_of_a_load_is_walked_by_kg_and_astroids_walk_is_back_after():
    with inference_cache.kept():
        assert TransformVisitor.visit is transform_walk._visit
        with inference_cache.kept(), transform_walk.walked():     # nested: still kg's
            assert TransformVisitor.visit is transform_walk._visit
        assert TransformVisitor.visit is transform_walk._visit
    assert TransformVisitor.visit is ASTROIDS_VISIT


def test_another_astroid_version_is_walked_by_astroid(monkeypatch):
    monkeypatch.setattr(astroid, "__version__", "4.4.0")
    assert not transform_walk.applies()
    with transform_walk.walked():
        assert TransformVisitor.visit is ASTROIDS_VISIT


def test_a_replaced_visitor_method_is_walked_by_astroid(monkeypatch):
    monkeypatch.setattr(TransformVisitor, "_transform", lambda self, node: node)
    assert not transform_walk.applies()
    with transform_walk.walked():
        assert TransformVisitor.visit is ASTROIDS_VISIT


def test_a_subclass_of_astroids_visitor_walks_its_own_way():
    class Counting(TransformVisitor):
        def _transform(self, node):
            seen.append(type(node).__name__)
            return super()._transform(node)

    seen = []
    with transform_walk.walked():
        transform_walk._visit(Counting(), astroid.parse("x = f(1)", apply_transforms=False))
    assert seen == ["AssignName", "Name", "Const", "Call", "Assign", "Module"]


def _too_deep_depth_first(tree, limit: int) -> str | None:
    """The nesting check parse.py had: depth first, the last child first."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return (f"line {node.lineno or 1}: nested more than {limit} levels deep; "
                    f"not extracted")
        stack.extend((child, depth + 1) for child in node.get_children())
    return None


NESTED = textwrap.dedent("""
    a = b.c.d.e.f
    def g(x):
        if x:
            return [y for y in x.h.i if y]
        return {k: v.w.z for k, v in x}
    q = r.s.t
""")


@pytest.mark.parametrize("limit", range(1, 12))
def test_the_nesting_check_names_the_node_the_depth_first_one_did(monkeypatch, limit):
    tree = astroid.parse(NESTED)
    monkeypatch.setattr(parse, "max_nesting", lambda: limit)
    assert parse._too_deep(tree) == _too_deep_depth_first(tree, limit)


def test_the_nesting_check_names_the_last_of_the_first_level_too_deep(monkeypatch):
    tree = astroid.parse("a = b.c.d.e.f\n\nq = r.s.t.u.v\n\nshallow = 1\n")
    monkeypatch.setattr(parse, "max_nesting", lambda: 5)
    assert parse._too_deep(tree) == "line 3: nested more than 5 levels deep; not extracted"
    monkeypatch.setattr(parse, "max_nesting", lambda: 6)
    assert parse._too_deep(tree) is None


def test_the_walk_leaves_no_garbage_only_a_collection_would_free():
    """The parse runs with collections off: a cycle left by each module's walk would stay."""
    tree = astroid.parse(CODE, apply_transforms=False)
    visitor = TransformVisitor()
    visitor.register_transform(nodes.Call, lambda node: None, lambda node: False)
    enabled = gc.isenabled()
    gc.disable()
    try:
        _drained()
        transform_walk._visit(visitor, tree)
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()


def _drained() -> None:
    """What earlier tests left for the collector, collected to the end: a collection whose
    finalizers resurrect objects (a generator closed in a cycle) frees that part only at the
    next one, as after a load, whose frozen facts are thawed for the collector."""
    for _ in range(10):
        if gc.collect() == 0:
            return
