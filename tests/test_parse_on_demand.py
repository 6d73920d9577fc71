"""A module of the target that building another asks for is parsed by kg there and then.

Building a module records each `obj.attr = value` on what obj infers to. When obj lives in a
module kg has not parsed yet, astroid used to find that file and build a tree of its own,
which kg's parse then replaced: the module was parsed twice and the recorded attribute was
lost with the first tree. `pkg/a.py` sorts before `pkg/b.py`, so it is built first.
"""

from __future__ import annotations

import astroid
from astroid.builder import AstroidBuilder

from harness import load_code, write_package
from kg.loader import parse
from kg.loader.discover import discover

FILES = {
    "pkg/__init__.py": "",
    "pkg/a.py": """
        from pkg import b

        b.SETTINGS.handler = b.Handler()
        """,
    "pkg/b.py": """
        class Handler:
            def run(self):
                return 1


        class Settings:
            pass


        SETTINGS = Settings()
        """,
    "pkg/c.py": """
        from pkg import b


        def main():
            return b.SETTINGS.handler.run()
        """,
}


def test_each_module_of_the_target_is_built_once(tmp_path, monkeypatch):
    root = write_package(tmp_path, FILES)
    built: list[str] = []
    plain = AstroidBuilder.file_build

    def file_build(self, path, modname=None):
        built.append(modname or path)
        return plain(self, path, modname)

    monkeypatch.setattr(AstroidBuilder, "file_build", file_build)   # counts, builds as before
    parsed = parse.parse(discover(root))
    try:
        modules = {p.source.module: p for p in parsed}
        assert not [m for m in built if m in modules], built
        assert astroid.MANAGER.astroid_cache["pkg.b"] is modules["pkg.b"].tree
        settings = modules["pkg.b"].tree["Settings"]
        assert "handler" in settings.instance_attrs    # recorded on the tree kg registers
    finally:
        parse.forget(parsed)


def test_an_attribute_another_module_sets_resolves_calls_through_it(tmp_path):
    graph = load_code(tmp_path, FILES)
    assert ("pkg.c.main", "pkg.b.Handler.run") in graph.edges("CALLS")
    site = graph.node("CallSite", "b.SETTINGS.handler.run@5")
    assert site["resolved"] == "inference"


def test_a_module_nobody_asks_for_is_parsed_in_its_turn(tmp_path):
    root = write_package(tmp_path, {"pkg/__init__.py": "", "pkg/x.py": "X = 1\n",
                                    "pkg/y.py": "Y = 2\n"})
    parsed = parse.parse(discover(root))
    try:
        assert [p.source.module for p in parsed] == ["pkg", "pkg.x", "pkg.y"]
        assert all(p.tree is not None and p.error is None for p in parsed)
    finally:
        parse.forget(parsed)


PROPERTY = {
    "pkg/__init__.py": "",
    "pkg/main.py": """
        from pkg.out import Console, Null


        def main():
            console = Console()
            console.file = Null()
            console.file.write("x")
        """,
    "pkg/out.py": """
        class Null:
            def write(self, text):
                return 0


        class Real:
            def write(self, text):
                return len(text)


        class Console:
            def __init__(self):
                self._file = None

            @property
            def file(self):
                return self._file or Real()

            @file.setter
            def file(self, value):
                self._file = value

            def show(self):
                return self.file.write("y")


        class Plain:
            def __init__(self):
                self.sink = Null()

            def show(self):
                return self.sink.write("z")
        """,
}


def test_assigning_a_property_on_an_instance_leaves_the_getter_in_charge(tmp_path):
    """`console.file = Null()` runs the setter: `self.file` still reads the getter, which
    may give a Real; astroid's record of an instance attribute would leave Null alone."""
    calls = load_code(tmp_path, PROPERTY).edges("CALLS")
    assert ("pkg.out.Console.show", "pkg.out.Real.write") in calls
    assert ("pkg.out.Plain.show", "pkg.out.Null.write") in calls       # a plain attribute
    assert ("pkg.out.Plain.show", "pkg.out.Real.write") not in calls
