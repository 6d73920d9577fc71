"""The per-module inference budget: a module that spends it is reported (load summary,
Load.budget_exceeded, Module.budget_exceeded) and loaded without the unfinished
resolution; with a real budget nothing is reported and calls resolve by inference."""

from __future__ import annotations

import time

import astroid
from astroid import context as astroid_context
from click.testing import CliRunner

from harness import write_package
from kg import api
from kg.cli.main import cli
from kg.loader import extract
from kg.loader.context import ModuleContext, Project, _inferred_values
from kg.loader.limits import Limits
from kg.loader.parse import ParsedModule

APP = {
    "app/__init__.py": "",
    "app/things.py": """
        class Thing:
            def go(self):
                return 1

        def make():
            return Thing()

        def use():
            make().go()
    """,
    "app/plain.py": "X = 1\n",
}


def _load(tmp_path, *options):
    root = write_package(tmp_path / "src", APP)
    store = tmp_path / "store"
    result = CliRunner().invoke(cli, ["load", str(root), "-q", "--store", str(store), "--full",
                                      *options], catch_exceptions=False)
    return result, store


def _rows(store, cypher):
    return api.query(cypher, store=str(store)).rows


def _calls(store):
    return {tuple(r) for r in _rows(store, "MATCH (a:Function)-[c:CALLS]->(b) "
                                           "RETURN a.qualname, b.qualname, c.resolved")}


def test_a_zero_budget_reports_the_module_and_loads_everything(tmp_path):
    result, store = _load(tmp_path, "--inference-budget", "0")
    assert result.exit_code == 0, result.output
    assert "inference budget spent (1):" in result.output
    assert "app/things.py: line " in result.output
    [[listed]] = _rows(store, "MATCH (l:Load) RETURN l.budget_exceeded")
    assert len(listed) == 1 and listed[0].startswith("app/things.py: line ")
    assert "inference budget of 0 s spent" in listed[0]
    marked = _rows(store, "MATCH (m:Module) WHERE m.budget_exceeded IS NOT NULL RETURN m.name")
    assert marked == [["app.things"]]
    functions = {r[0] for r in _rows(store, "MATCH (f:Function) RETURN f.qualname")}
    assert functions == {"app.things.Thing.go", "app.things.make", "app.things.use"}
    # loaded without inference: the call of make() by name; make().go() needs inference
    assert ("app.things.use", "app.things.make", "name") in _calls(store)
    assert not any(r[2] == "inference" for r in _calls(store))


def test_a_real_budget_reports_nothing_and_infers(tmp_path):
    result, store = _load(tmp_path)            # the default, 30 s
    assert result.exit_code == 0
    assert "inference budget spent" not in result.output
    assert _rows(store, "MATCH (l:Load) RETURN l.budget_exceeded") in ([[[]]], [[None]])
    assert _rows(store, "MATCH (m:Module) WHERE m.budget_exceeded IS NOT NULL "
                        "RETURN m.name") == []
    calls = _calls(store)
    assert ("app.things.use", "app.things.make", "inference") in calls
    assert ("app.things.use", "app.things.Thing.go", "inference") in calls


def test_a_larger_budget_next_time_completes_the_module(tmp_path):
    """Facts made under other limits are not reused (the limits are part of the facts
    cache's key): the next load with a larger budget extracts everything again."""
    root = write_package(tmp_path / "src", APP)
    store = str(tmp_path / "store")
    over = api.load(root, store=store, inference_budget=0)
    assert set(over.budget_exceeded) == {"app/things.py"}
    again = api.load(root, store=store)
    assert not again.incremental and again.budget_exceeded == {}
    assert again.reextracted == 3
    assert ("app.things.use", "app.things.Thing.go", "inference") in _calls(store)


def test_a_module_whose_budget_ran_out_is_not_kept_by_the_facts_cache(tmp_path):
    """Under the same limits, the next (incremental) load extracts that module again, though
    its text did not change, and keeps the others."""
    root = write_package(tmp_path / "src", APP)
    store = str(tmp_path / "store")
    api.load(root, store=store, inference_budget=0)
    again = api.load(root, store=store, inference_budget=0)
    assert again.incremental and set(again.budget_exceeded) == {"app/things.py"}
    assert again.reextracted == 1


def test_the_budget_is_per_module(tmp_path):
    """A module whose budget ran out does not stop inference in the next one."""
    files = {**APP, "app/later.py": "from app.things import make\n\ndef z():\n"
                                    "    return make()\n"}
    root = write_package(tmp_path / "src", files)
    extraction = extract(root, "r", limits=Limits(inference_budget=0.0))
    modules = extraction.facts.nodes["Module"]
    spent = {row["name"] for row in modules.values() if row.get("budget_exceeded")}
    assert spent == {"app.things", "app.later"}      # each ran out on its own first inference
    generous = extract(root, "r", limits=Limits(inference_budget=30.0))
    assert not any(r.get("budget_exceeded") for r in generous.facts.nodes["Module"].values())
    assert not generous.step_errors and not extraction.step_errors


def _context(tmp_path, source: str, budget: float | None) -> ModuleContext:
    tree = astroid.parse(source, module_name="budgeted")
    parsed = ParsedModule(source=None, text=source, tree=tree, error=None, sha256="")
    project = Project(repo="r", modules={}, limits=Limits(inference_budget=budget))
    project.register(tree, "r:Module:budgeted")
    return ModuleContext(project, parsed)


CHAIN = ("class Thing:\n    pass\n"
         + "".join(f"def f{i}():\n    return f{i + 1}()\n" for i in range(30))
         + "def f30():\n    return Thing()\n\nresult = f0()\nother = Thing()\n")


def test_a_deadline_passed_mid_inference_stops_astroid_there():
    """The deadline is read inside astroid's own inference (its count of inferred nodes),
    so one long inference is cut short, not only the ones after it."""
    tree = astroid.parse(CHAIN, module_name="chain")
    call = tree.body[-2].value
    astroid_context._invalidate_cache()
    assert [v.name for v in _inferred_values(call, None)] == ["Thing"]
    astroid_context._invalidate_cache()
    assert _inferred_values(call, time.process_time() - 1) == []


def test_once_spent_infer_answers_nothing_and_astroid_keeps_no_cut_result(tmp_path):
    ctx = _context(tmp_path, CHAIN, budget=0.0)
    ctx.facts.add_node("Module", "r:Module:budgeted", name="budgeted")
    other = ctx.tree.body[-1].value
    assert ctx.infer(other) == []
    assert ctx.budget_exceeded.startswith(f"line {other.lineno}: inference budget of 0 s")
    assert ctx.facts.node("Module", "r:Module:budgeted")["budget_exceeded"] == \
        ctx.budget_exceeded
    assert ctx.infer(ctx.tree.body[-2].value) == []
    assert not astroid_context._INFERENCE_CACHE


def test_without_a_budget_infer_is_unbounded(tmp_path):
    ctx = _context(tmp_path, CHAIN, budget=None)
    assert [v.name for v in ctx.infer(ctx.tree.body[-1].value)] == ["Thing"]
    assert ctx.budget_exceeded is None and ctx.inference_seconds == 0.0


def test_spent_seconds_add_up_across_inferences(tmp_path):
    ctx = _context(tmp_path, CHAIN, budget=30.0)
    assert [v.name for v in ctx.infer(ctx.tree.body[-2].value)] == ["Thing"]
    first = ctx.inference_seconds
    assert first > 0
    ctx.infer(ctx.tree.body[-1].value)
    assert ctx.inference_seconds >= first and ctx.budget_exceeded is None
