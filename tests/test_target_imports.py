"""A module of the target that imports itself resolves to its own definitions."""

from __future__ import annotations

import textwrap

from astroid.builder import AstroidBuilder

from harness import load_code

LIVE = {
    "pkg/__init__.py": "",
    "pkg/live.py": """
        class Live:
            def start(self):
                return 1

        def run():
            from pkg.live import Live as Again
            return Again().start()

        if __name__ == "__main__":
            from .live import Live
            Live().start()
        """,
}


def test_a_module_importing_itself_resolves_to_its_own_definitions(tmp_path):
    graph = load_code(tmp_path / "t", LIVE)
    assert ("pkg.live.run", "pkg.live.Live.start") in graph.edges("CALLS")
    assert _how(graph, "pkg.live.run") == ["inference"]


def _installed_elsewhere(tmp_path, monkeypatch) -> None:
    """Another pkg.live on the search path, as an installed copy of the target would be."""
    installed = tmp_path / "site" / "pkg"
    installed.mkdir(parents=True)
    (installed / "__init__.py").write_text("")
    (installed / "live.py").write_text(textwrap.dedent("""
        class Live:
            def begin(self):
                return elsewhere()

        def elsewhere():
            return 2
        """))
    monkeypatch.syspath_prepend(str(tmp_path / "site"))


def test_not_to_a_module_of_the_same_name_on_the_search_path(tmp_path, monkeypatch):
    _installed_elsewhere(tmp_path, monkeypatch)
    graph = load_code(tmp_path / "t", LIVE)
    calls = graph.edges("CALLS")
    assert ("pkg.live.run", "pkg.live.Live.start") in calls
    assert _how(graph, "pkg.live.run") == ["inference"]
    assert not any("elsewhere" in callee for _, callee in calls)
    assert not any("elsewhere" in name for name in graph.names("External"))


def _how(graph, caller: str) -> list[str]:
    return [props["resolved"] for props in graph.edge_props("CALLS", caller,
                                                             "pkg.live.Live.start")]


def test_the_copy_is_built_once_a_load(tmp_path, monkeypatch):
    users = {f"pkg/user{i}.py": "from pkg.live import run\n\ndef use():\n    return run()\n"
             for i in range(3)}
    built = []
    file_build = AstroidBuilder.file_build

    def counted(self, path, modname=None):
        built.append(modname)
        return file_build(self, path, modname)

    monkeypatch.setattr(AstroidBuilder, "file_build", counted)
    _installed_elsewhere(tmp_path, monkeypatch)
    graph = load_code(tmp_path / "t", {**LIVE, **users})
    assert ("pkg.user0.use", "pkg.live.run") in graph.edges("CALLS")
    assert built.count("pkg.live") == 1
