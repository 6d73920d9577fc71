from harness import FIXTURES, load, load_code, write_package
from kg import api
from test_incremental import REPO, assert_equal_to_full

PKG = {
    "pkg/__init__.py": "from pkg.impl import Thing\nVERSION = 1\n",
    "pkg/impl.py": "class Thing:\n    pass\n",
    "pkg/logging.py": "",
    "pkg/sub/__init__.py": "",
    "pkg/sub/leaf.py": "",
    "pkg/sub/other.py": "",
}


def load_pkg(tmp_path, **modules):
    return load_code(tmp_path, {**PKG, **modules})


def load_fixture(name):
    return load(FIXTURES / name)


def props(g, src, dst):
    found = g.edge_props("IMPORTS", src, dst)
    assert len(found) == 1, found
    return found[0]


def test_absolute_imports_go_to_the_deepest_project_module(tmp_path):
    g = load_pkg(tmp_path, **{"pkg/a.py": """
        import pkg.sub.leaf
        import pkg.sub.other as other
        from pkg.sub import leaf as the_leaf
    """})
    # `from pkg.sub import leaf` imports the submodule only, not the package (as in grimp)
    assert {e for e in g.edges("IMPORTS") if e[0] == "pkg.a"} == {
        ("pkg.a", "pkg.sub.leaf"), ("pkg.a", "pkg.sub.other")}
    assert props(g, "pkg.a", "pkg.sub.other") == {
        "names": ["pkg.sub.other"], "line": 2, "type_checking": False, "in_function": False,
        "is_star": False, "is_relative": False, "dynamic": False}
    assert len(g.edge_props("IMPORTS", "pkg.a", "pkg.sub.leaf")) == 2   # one per statement


def test_relative_imports_resolve_against_the_importing_package(tmp_path):
    g = load_pkg(tmp_path, **{
        "pkg/sub/leaf.py": """
            from . import other
            from .. import impl, VERSION
            from ..impl import Thing
            from .missing import nothing
            from .... import too_far
        """,
        "pkg/sub/__init__.py": "from . import leaf\nfrom .leaf import other\n",
    })
    out = {e for e in g.edges("IMPORTS") if e[0] in ("pkg.sub.leaf", "pkg.sub")}
    assert out == {
        ("pkg.sub.leaf", "pkg.sub.other"), ("pkg.sub.leaf", "pkg"),
        ("pkg.sub.leaf", "pkg.impl"), ("pkg.sub", "pkg.sub.leaf"),
    }
    assert props(g, "pkg.sub.leaf", "pkg")["names"] == ["VERSION"]   # impl is a submodule
    assert props(g, "pkg.sub.leaf", "pkg.sub.other")["is_relative"]
    assert [p["names"] for p in g.edge_props("IMPORTS", "pkg.sub.leaf", "pkg.impl")] in (
        [["impl"], ["Thing"]], [["Thing"], ["impl"]])
    assert [p["line"] for p in g.edge_props("IMPORTS", "pkg.sub", "pkg.sub.leaf")] == [1, 2]


def test_from_package_import_name_defined_in_init_and_reexports(tmp_path):
    g = load_pkg(tmp_path, **{"pkg/user.py": "from pkg import Thing, VERSION\n"})
    assert {e for e in g.edges("IMPORTS") if e[0] == "pkg.user"} == {("pkg.user", "pkg")}
    assert props(g, "pkg.user", "pkg")["names"] == ["Thing", "VERSION"]
    # the re-export is pkg's own edge, so "who uses pkg.impl" can follow user -> pkg -> impl
    assert props(g, "pkg", "pkg.impl")["names"] == ["Thing"]


def test_stdlib_and_third_party_imports_are_external(tmp_path):
    g = load_pkg(tmp_path, **{"pkg/a.py": """
        import os.path
        import logging
        import requests as rq
        from collections import OrderedDict
        from . import logging as local_logging
    """})
    assert {e for e in g.edges("IMPORTS") if e[0] == "pkg.a"} == {
        ("pkg.a", "os.path"), ("pkg.a", "logging"), ("pkg.a", "requests"),
        ("pkg.a", "collections"), ("pkg.a", "pkg.logging")}
    # `import logging` is the stdlib one: pkg.logging is not reachable by that name
    logging = g.facts.edges
    assert [e.dst_label for e in logging if e.type == "IMPORTS" and e.dst.endswith(":logging")
            ] == ["External"]
    assert props(g, "pkg.a", "collections")["names"] == ["OrderedDict"]
    assert {"os.path", "logging", "requests", "collections"} <= g.names("External")


def test_star_function_level_and_type_checking_imports(tmp_path):
    g = load_pkg(tmp_path, **{"pkg/a.py": """
        import typing
        from typing import TYPE_CHECKING
        from pkg.sub import *

        if TYPE_CHECKING:
            from pkg.impl import Thing
        if typing.TYPE_CHECKING:
            import pkg.sub.leaf
        else:
            import pkg.sub.other
        if not TYPE_CHECKING:
            import pkg.logging

        def f():
            import pkg.sub.leaf
            return pkg.sub.leaf
    """})
    star = props(g, "pkg.a", "pkg.sub")
    assert (star["names"], star["is_star"], star["type_checking"]) == (["*"], True, False)
    assert props(g, "pkg.a", "pkg.impl")["type_checking"]
    assert not props(g, "pkg.a", "pkg.sub.other")["type_checking"]
    assert not props(g, "pkg.a", "pkg.logging")["type_checking"]
    leaf = sorted(g.edge_props("IMPORTS", "pkg.a", "pkg.sub.leaf"), key=lambda p: p["line"])
    assert [(p["type_checking"], p["in_function"]) for p in leaf] == [(True, False),
                                                                      (False, True)]
    assert not props(g, "pkg.a", "pkg.impl")["in_function"]


def test_namespace_packages_have_no_module_but_their_modules_are_imported(tmp_path):
    g = load_code(tmp_path, {
        "ns/tools.py": "",
        "app.py": "import ns\nfrom ns import tools\nimport ns.tools\n",
    })
    assert g.edges("IMPORTS") == {("app", "ns.tools")}
    assert len(g.edge_props("IMPORTS", "app", "ns.tools")) == 2


def test_cycles_fixture():
    g = load_fixture("cycles")
    assert g.edges("IMPORTS") == {
        ("cyc.a", "cyc.b"), ("cyc.b", "cyc.a"),
        ("cyc.c", "__future__"), ("cyc.c", "typing"), ("cyc.c", "cyc.d"), ("cyc.d", "cyc.c"),
        ("cyc.e", "cyc.f"), ("cyc.f", "cyc.e"),
    }
    flags = {(s, d): (p["type_checking"], p["in_function"])
             for s, d in g.edges("IMPORTS") for p in g.edge_props("IMPORTS", s, d)}
    assert flags[("cyc.c", "cyc.d")] == (True, False)      # the cycle exists only for mypy
    assert flags[("cyc.d", "cyc.c")] == (False, False)
    assert flags[("cyc.e", "cyc.f")] == (False, True)      # broken at import time by the function
    assert flags[("cyc.f", "cyc.e")] == (False, False)
    assert flags[("cyc.a", "cyc.b")] == flags[("cyc.b", "cyc.a")] == (False, False)
    assert g.edge_props("IMPORTS", "cyc.f", "cyc.e")[0]["names"] == ["late"]


def test_cli_fixtures_imports():
    assert load_fixture("typer_app").edges("IMPORTS") == {
        ("lem.__main__", "lem.cli"),
        ("lem.cli", "subprocess"), ("lem.cli", "sys"), ("lem.cli", "typer"),
        ("lem.cli", "lem.campaign"), ("lem.cli", "lem.tools"),
        ("lem.campaign", "subprocess"), ("lem.campaign", "typer"),
        ("lem.tools", "typer"), ("lem.launcher", "argparse"),
    }
    g = load_fixture("click_app")
    assert g.edges("IMPORTS") == {
        ("clicky.cli", "click"), ("clicky.cli", "clicky.db"),
        ("clicky.db", "click"), ("clicky.report", "click"),
    }
    assert props(g, "clicky.cli", "clicky.db")["names"] == ["db_group"]
    assert g.node("External", "click")["name"] == "click"


def test_a_call_importing_a_module_by_a_literal_name_is_a_dynamic_import(tmp_path):
    g = load_pkg(tmp_path, **{
        "pkg/sub/loader.py": """
            import importlib
            from importlib import import_module

            PLUGINS = ["pkg.sub.leaf"]

            def load(name):
                importlib.import_module("pkg.sub.other")
                import_module(".leaf", package=__package__)
                import_module(".impl", "pkg")
                __import__("pkg.logging")
                importlib.import_module("json")
                importlib.import_module(name)           # not a literal: no edge
                return [importlib.import_module(p) for p in PLUGINS]
        """})
    dynamic = {dst: found for (src, dst) in g.edges("IMPORTS") if src == "pkg.sub.loader"
               for found in g.edge_props("IMPORTS", src, dst) if found["dynamic"]}
    # and PLUGINS' "pkg.sub.leaf", a string spelling a module's dotted name
    assert set(dynamic) == {"pkg.sub.other", "pkg.sub.leaf", "pkg.impl", "pkg.logging",
                            "json"}
    assert dynamic["pkg.sub.other"] == {
        "names": [], "line": 7, "type_checking": False, "in_function": True,
        "is_star": False, "is_relative": False, "dynamic": True}
    relative = {found["line"]: found["is_relative"] for found in g.edge_props(
        "IMPORTS", "pkg.sub.loader", "pkg.sub.leaf")}
    assert relative == {4: False, 8: True}


def test_a_module_only_a_call_imports_is_not_dead_and_a_reload_follows_it(tmp_path):
    root = write_package(tmp_path / "src", {
        "app/__init__.py": "",
        "app/main.py": """
            import importlib

            def run():
                return importlib.import_module("app.plugins.csv").export()

            if __name__ == "__main__":
                run()
        """,
        "app/plugins/__init__.py": "",
    })
    store = str(tmp_path / "store")
    api.load(root, store=store, repo=REPO, jobs=1)      # app.plugins.csv is not there yet
    (root / "app/plugins/csv.py").write_text("def export():\n    return 1\n")
    again = api.load(root, store=store, repo=REPO, jobs=1)
    assert again.incremental
    assert_equal_to_full(root, store)
    report = api.audit(store=store, repo=REPO, select=("dead-module",))
    assert not {f.columns["symbol"] for f in report.findings} & {"app.plugins.csv"}


def test_a_string_spelling_a_module_s_dotted_name_is_a_dynamic_import(tmp_path):
    g = load_pkg(tmp_path, **{
        "pkg/registry.py": """
            BUILTIN = ("pkg.sub.other", "pkg.sub.leaf")
            NOT_MODULES = ["pkg.sub.missing", "pkg", "impl", "pkg.impl.Other", "pkg.Thing"]
            FACTORY = "pkg.impl.Thing"      # a module and a name it defines

            def plugin_names():
                return ["pkg.logging"]

            def worker():
                return ["python", "-m", "pkg.impl"]     # run as a program: SPAWNS, not this
        """})
    found = {dst: props for (src, dst) in g.edges("IMPORTS") if src == "pkg.registry"
             for props in g.edge_props("IMPORTS", src, dst)}
    assert set(found) == {"pkg.sub.other", "pkg.sub.leaf", "pkg.impl", "pkg.logging"}
    assert found["pkg.logging"] == {"names": [], "line": 6, "type_checking": False,
                                    "in_function": True, "is_star": False,
                                    "is_relative": False, "dynamic": True}
