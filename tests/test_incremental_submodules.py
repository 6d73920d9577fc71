"""Rule 2's named submodules: a module that holds a package reaches its submodules as
attributes, without importing them, and depends on them; words elsewhere do not count.

Each case loads a small package into a fresh embedded store, edits a submodule, loads
again and compares the stored graph with a full extraction of the edited tree. The edit
points `make` at another function: no name's index entry changes (rule 3 is silent), so
only rule 2 can send the module that reaches `make` through `lib.core.helpers` back.
"""

from __future__ import annotations

import astroid
import pytest

from harness import write_package
from kg import api
from kg.loader import incremental
from test_incremental import REPO, assert_equal_to_full, edit, names, reloaded_after_appending

ADDED = "\n\ndef kg_added():\n    return 1\n"

LIB = {
    "lib/__init__.py": "",
    "lib/core/__init__.py": "",
    "lib/core/helpers.py": """
        def build1():
            return 1


        def build2():
            return 2


        make = build1
        """,
    "lib/reexport.py": """
        import lib as L
        """,
}
POINTED_ELSEWHERE = ("lib/core/helpers.py", "make = build1", "make = build2")

REACHING = {
    "an attribute chain": """
        import lib


        def use():
            return lib.core.helpers.make()
        """,
    "an alias": """
        import lib as L


        def use():
            return L.core.helpers.make()
        """,
    "an alias of a subpackage": """
        import lib.core as c


        def use():
            return c.helpers.make()
        """,
    "a package another module's import binds": """
        from lib.reexport import L


        def use():
            return L.core.helpers.make()
        """,
    "a module object held in a variable": """
        import lib

        core = lib.core


        def use():
            return core.helpers.make()
        """,
    "an attribute inside an f-string": """
        import lib


        def use():
            return f"{lib.core.helpers.make()}"
        """,
    "getattr with a string": """
        import lib.core as c


        def use():
            return getattr(c, "helpers").make()
        """,
    "getattr with a string in a local name": """
        import lib.core as c


        def use():
            name = "helpers"
            return getattr(c, name).make()
        """,
}


@pytest.mark.parametrize("kind", sorted(REACHING))
def test_a_submodule_reached_without_an_import_sends_its_reader_back(tmp_path, kind):
    root = write_package(tmp_path / "app", {**LIB, "lib/user.py": REACHING[kind]})
    store = str(tmp_path / "store")
    api.load(root, store=store, repo=REPO, jobs=1)
    edit(root / POINTED_ELSEWHERE[0], *POINTED_ELSEWHERE[1:])
    summary = api.load(root, store=store, repo=REPO, jobs=1)
    assert summary.incremental
    assert_equal_to_full(root, store)


RUNTESTS = {    # sympy's shape: runtests holds the package and "names" a test module
    "lib/__init__.py": """
        from lib.testing.runtests import run_all_tests
        """,
    "lib/testing/__init__.py": "",
    "lib/testing/runtests.py": '''
        import lib


        def run_all_tests(test_args=(), core=None):
            """Runs lib.core.tests.test_args among the others."""
            # the core tests first
            tests = list(test_args)
            return lib.run_all_tests, tests, core, "lib/core/tests"
        ''',
    "lib/core/__init__.py": "",
    "lib/core/tests/__init__.py": "",
    "lib/core/tests/test_args.py": """
        from lib.sandbox.leaf import leaf


        def test_leaf():
            assert leaf() == 1
        """,
    "lib/sandbox/__init__.py": "",
    "lib/sandbox/leaf.py": """
        def leaf():
            return 1
        """,
    "lib/user.py": """
        import lib


        def use():
            return lib.run_all_tests()
        """,
}


def test_words_that_are_not_attributes_name_no_submodule(tmp_path):
    """runtests.py holds `lib` and its text holds `core`, `tests` and `test_args` (a
    parameter, a local, a comment, a docstring, a path), none of them an attribute: a leaf
    edit reaches test_args.py through its import, and no further (by the text's words, it
    went on through runtests.py to lib and everything importing lib)."""
    root = write_package(tmp_path / "app", RUNTESTS)
    store = str(tmp_path / "store")
    summary = reloaded_after_appending(root, store, "lib/sandbox/leaf.py", ADDED)
    assert summary.incremental and summary.reextracted == 2     # leaf.py, test_args.py
    assert_equal_to_full(root, store)


def test_the_same_words_as_attributes_name_the_test_module(tmp_path):
    """The positive twin: `lib.core.tests.test_args` written as an attribute chain."""
    runtests = RUNTESTS["lib/testing/runtests.py"].replace(
        "lib.run_all_tests, tests", "lib.core.tests.test_args.test_leaf, tests")
    root = write_package(tmp_path / "app", {**RUNTESTS, "lib/testing/runtests.py": runtests})
    store = str(tmp_path / "store")
    summary = reloaded_after_appending(root, store, "lib/sandbox/leaf.py", ADDED)
    assert summary.incremental and summary.reextracted > 3     # runtests.py, lib, user.py..
    assert_equal_to_full(root, store)


def words(source: str) -> set[str]:
    return incremental.naming_words(astroid.parse(source))


def test_naming_words():
    assert words("import pkg\npkg.a.b\npkg.c = 1\ndel pkg.d\n") == {"a", "b", "c", "d"}
    assert words('getattr(m, "sub")\nx = "two words"\n__all__ = ["e"]\n') == {"sub", "e"}
    assert words("from w import f, g as h\nf(y)\n") == {"f", "g"}
    # a parameter, a local, a call's name, a comment, a docstring: no attribute
    assert words('def run(core):\n    """tests"""\n    tests = core  # x.test_args\n'
                 '    return run(tests)\n') == set()
    # After `from w import *` every bare name counts. astroid (4.3) binds through a wildcard
    # only the names w's own statements bind, which rule 2 holds already through w's
    # imports, so no load tells this apart: the rule errs on the side of extracting here.
    assert words("from w import *\ndef f(a):\n    return sub(a)\n") == {"sub", "a"}
    assert words('x = f"{pkg.inner}"\n') == {"inner"}


def test_a_candidate_is_confirmed_by_its_naming_words_only_when_the_closure_reaches_it():
    modules = {"pkg", "pkg.sub", "pkg.sub.deep", "pkg.leaf", "pkg.a", "pkg.b", "pkg.c"}
    names_of = {
        "pkg.sub.deep": names(["pkg.leaf"]),              # imports the seed
        "pkg.a": names(["pkg"], ["pkg"]),                 # import pkg: names sub.deep
        "pkg.b": names(["pkg"], ["pkg"]),                 # import pkg: words only in text
        "pkg.c": names(["pkg"], ["pkg"]),                 # holds pkg, not reached at all
        "pkg": names(), "pkg.sub": names(), "pkg.leaf": names()}
    texts = {"pkg.a": {"sub", "deep"}, "pkg.b": {"sub", "deep"}, "pkg.c": {"sub"}}
    naming = {"pkg.a": {"sub", "deep"}, "pkg.b": {"sub"}, "pkg.c": {"sub"}}
    asked = []

    def words_of(module):
        asked.append(module)
        return naming[module]

    found = incremental.importers({"pkg.leaf"}, names_of, texts, modules, words_of)
    assert found == {"pkg.sub.deep", "pkg.a"}
    assert sorted(asked) == ["pkg.a", "pkg.b"]       # pkg.c names pkg.sub, never reached
    # without naming words, the text's stand for them: pkg.b too
    assert incremental.importers({"pkg.leaf"}, names_of, texts, modules) == {
        "pkg.sub.deep", "pkg.a", "pkg.b"}
