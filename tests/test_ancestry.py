"""A module-level class's ancestry is walked once per load (ancestry.py), and only that.

The walk astroid does itself is counted by wrapping the function `remembered()` falls back
to; the graphs come from real loads of small packages.
"""

from __future__ import annotations

import astroid
import pytest
from astroid import nodes

from harness import load_code
from kg.loader import ancestry, parse

HIERARCHY = """
class Root:
    def shared(self):
        return 1


class Left(Root):
    pass


class Right(Root):
    pass


class Both(Left, Right):
    class Inner(Left):
        pass


def factory(base):
    class Made(base):
        pass
    return Made
"""


@pytest.fixture
def walks(monkeypatch) -> list[str]:
    """The classes whose ancestry astroid's own walk goes through, in order (recursive
    walks of the bases included; `recurs=False` ones marked)."""
    walked: list[str] = []
    own_walk = nodes.ClassDef.ancestors

    def counted(cls, recurs=True, context=None):
        walked.append(cls.name if recurs else f"{cls.name} (direct)")
        return own_walk(cls, recurs, context)

    monkeypatch.setattr(nodes.ClassDef, "ancestors", counted)
    return walked


def _classes(module: nodes.Module) -> dict[str, nodes.ClassDef]:
    return {c.name: c for c in module.nodes_of_class(nodes.ClassDef)}


def _names(classes) -> list[str]:
    return [c.name for c in classes]


def test_a_module_level_class_is_walked_once_and_gives_astroids_ancestry(walks):
    classes = _classes(astroid.parse(HIERARCHY, module_name="kg_ancestry_once"))
    counted = nodes.ClassDef.ancestors
    expected = {name: _names(c.ancestors()) for name, c in classes.items()}
    walks.clear()
    with ancestry.remembered():
        for _ in range(3):
            assert _names(classes["Both"].ancestors()) == expected["Both"]
            assert _names(classes["Inner"].ancestors()) == expected["Inner"]
        assert walks.count("Both") == 1
        assert walks.count("Inner") == 1
        assert walks.count("Left") == 1          # walked once, also as Both's base
        assert _names(classes["Both"].ancestors(recurs=False)) == ["Left", "Right"]
    assert nodes.ClassDef.ancestors is counted      # astroid's (here: the test's) again after
    assert expected["Both"] == ["Left", "Root", "object", "Right"]


def test_a_class_defined_in_a_function_is_walked_at_every_lookup(walks):
    made = _classes(astroid.parse(HIERARCHY, module_name="kg_ancestry_factory"))["Made"]
    walks.clear()           # what the build walked
    with ancestry.remembered():
        for _ in range(3):
            list(made.ancestors())
    assert walks.count("Made") == 3


def test_a_cyclic_hierarchy_ends_as_astroids_walk_does():
    module = astroid.parse("""
        class A(B):
            pass


        class B(A):
            pass
        """, module_name="kg_ancestry_cycle")
    classes = _classes(module)
    expected = _names(classes["A"].ancestors())
    with ancestry.remembered():
        assert _names(classes["A"].ancestors()) == expected
        assert _names(classes["A"].ancestors()) == expected


def test_a_load_walks_each_module_level_class_once_after_the_parse(tmp_path, monkeypatch,
                                                                   walks):
    def parsed_then_counted(*args, **kwargs):
        done = own_parse(*args, **kwargs)
        walks.clear()       # the parse walks as astroid does: builds still add to the trees
        return done

    own_parse = parse.parse
    monkeypatch.setattr(parse, "parse", parsed_then_counted)
    graph = load_code(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": """
        class Tool:
            def use(self):
                return 1


        class Base:
            def __init__(self):
                self.tool = Tool()


        class Leaf(Base):
            pass


        def run():
            Leaf().tool.use()
            Leaf().tool.use()
            Leaf().tool.use()
        """})
    assert ("pkg.a.run", "pkg.a.Tool.use") in graph.edges("CALLS")
    assert walks.count("Leaf") == 1       # astroid's own walk: 10 times
