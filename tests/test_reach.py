"""REACHES, `reach` and `reach_path`: what entry points (and tests) get to; Clone windows."""

from harness import FIXTURES, load, load_code


def reach(g, label: str, name: str) -> str:
    return g.node(label, name)["reach"]


def reaches(g, ep_name: str) -> dict[str, dict]:
    eps = {r["id"] for r in g.rows("EntryPoint") if r["name"] == ep_name}
    return {g.name_of(e.dst_label, e.dst): dict(e.props) for e in g.facts.edges
            if e.type == "REACHES" and e.src in eps}


APP = {
    "pkg/__init__.py": "",
    "pkg/cli.py": """
        import subprocess
        import sys

        import click

        from pkg import core
        from pkg.model import Thing


        @click.command()
        def main() -> None:
            core.work(Thing(1))
            subprocess.run([sys.executable, "-m", "pkg.worker"], check=True)
        """,
    "pkg/core.py": """
        def work(thing) -> int:
            return helper(thing.size)


        def helper(n: int) -> int:
            def inner() -> int:
                return n
            return inner()


        def unused() -> None:
            pass


        def tested_only() -> int:
            return 1
        """,
    "pkg/model.py": """
        class Base:
            def size_of(self) -> int:
                return 0


        class Thing(Base):
            def __init__(self, size: int):
                self.size = size

            def __repr__(self) -> str:
                return "Thing"

            def size_of(self) -> int:
                return self.size

            def never(self) -> None:
                pass


        def use(b: Base) -> int:
            return b.size_of()
        """,
    "pkg/worker.py": """
        def run() -> None:
            print("working")


        if __name__ == "__main__":
            run()
        """,
    "pkg/dead.py": """
        def orphan() -> None:
            pass
        """,
    "tests/test_core.py": """
        from pkg.core import tested_only


        def test_it():
            assert tested_only() == 1
        """,
}


def test_reach_follows_calls_imports_classes_and_subprocesses(tmp_path):
    g = load_code(tmp_path, APP)
    for name in ("pkg.cli.main", "pkg.core.work", "pkg.core.helper", "pkg.core.helper.inner",
                 "pkg.model.Thing.__init__", "pkg.model.Thing.__repr__", "pkg.worker.run"):
        assert reach(g, "Function", name) == "entry", name
    for name in ("pkg.core.unused", "pkg.model.Thing.never", "pkg.dead.orphan"):
        assert reach(g, "Function", name) == "none", name
    assert reach(g, "Function", "pkg.core.tested_only") == "test"
    assert reach(g, "Module", "pkg.dead") == "none"
    assert reach(g, "Module", "pkg.core") == "entry"       # imported by the cli
    assert reach(g, "Module", "pkg") == "entry"            # parent package of a reached module


def test_reach_path_and_depth_are_the_evidence(tmp_path):
    g = load_code(tmp_path, APP)
    assert g.node("Function", "pkg.core.helper")["reach_path"] == [
        "main", "pkg.cli.main", "pkg.core.work", "pkg.core.helper"]
    assert g.node("Function", "pkg.core.tested_only")["reach_path"] == [
        "tests.test_core.test_it", "pkg.core.tested_only"]
    assert g.node("Function", "pkg.core.unused")["reach_path"] is None
    from_main = reaches(g, "main")
    assert from_main["pkg.core.helper"] == {"depth": 2, "via_subprocess": False}
    assert from_main["pkg.worker.run"]["via_subprocess"] is True
    assert "pkg.core.unused" not in from_main
    assert "pkg.dead" not in from_main


def test_a_method_reached_reaches_its_overrides(tmp_path):
    files = dict(APP)
    files["pkg/cli.py"] = files["pkg/cli.py"].replace("core.work(Thing(1))",
                                                      "core.work(Thing(1))\n            use(Thing(2))")
    files["pkg/cli.py"] = files["pkg/cli.py"].replace("from pkg.model import Thing",
                                                      "from pkg.model import Thing, use")
    g = load_code(tmp_path, files)
    assert reach(g, "Function", "pkg.model.Base.size_of") == "entry"
    assert reach(g, "Function", "pkg.model.Thing.size_of") == "entry"


def test_reach_is_deterministic():
    first = load(FIXTURES / "typer_app")
    second = load(FIXTURES / "typer_app")
    assert [(r["id"], r["reach"], r["reach_path"]) for r in first.rows("Function")] == \
        [(r["id"], r["reach"], r["reach_path"]) for r in second.rows("Function")]
    edges = sorted((e.src, e.dst, e.props) for e in first.facts.edges if e.type == "REACHES")
    assert edges == sorted((e.src, e.dst, e.props) for e in second.facts.edges
                           if e.type == "REACHES")


COPIED = """
    import json


    def export(rows, folder):
        folder.mkdir(parents=True, exist_ok=True)
        kept = [r for r in rows if r.get("total", 0) > 0]
        total = sum(r["total"] for r in kept)
        summary = {"count": len(kept), "total": total}
        path = folder / "out.json"
        path.write_text(json.dumps(summary, indent=2))
        return len(kept)


    def backup(items, target):
        print("backing up")
        target.mkdir(parents=True, exist_ok=True)
        good = [i for i in items if i.get("total", 0) > 0]
        amount = sum(i["total"] for i in good)
        report = {"count": len(good), "total": amount}
        out = target / "backup.json"
        out.write_text(json.dumps(report, indent=2))
        return out


    def different(items, target):
        target.mkdir(parents=True, exist_ok=True)
        good = [i for i in items if i.get("total", 0) > 0]
        amount = sum(i["total"] for i in good)
        report = {"count": len(good), "total": amount}
        out = target / "backup.json"
        out.read_text()
        return out
"""


def test_functions_sharing_six_statements_share_a_clone(tmp_path):
    g = load_code(tmp_path, COPIED)
    shared = g.edges("HAS_CLONE")
    owners = {f for f, _ in shared}
    assert owners == {"pkg.mod.export", "pkg.mod.backup"}    # read_text is not write_text
    assert g.edge_props("HAS_CLONE", "pkg.mod.backup", next(iter({c for _, c in shared}))) \
        == [{"line": 16, "end_line": 21}]
    assert all(r["functions"] == 2 and r["statements"] == 6 for r in g.rows("Clone"))
