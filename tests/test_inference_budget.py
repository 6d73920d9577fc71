"""The per-module inference budget, a count of astroid inference steps: a module that takes
more is reported (load summary, Load.budget_exceeded, Module.budget_exceeded) and loaded
without the unfinished resolution; with a real budget nothing is reported and calls resolve
by inference. The count is the same on any machine, however busy, so is the cut."""

from __future__ import annotations

import json
import threading

import astroid
from astroid import context as astroid_context
from astroid import nodes
from click.testing import CliRunner

from harness import write_package
from kg import api
from kg.cli.main import cli
from kg.loader import extract, inference_steps
from kg.loader.context import ModuleContext, Project, _inferred_values
from kg.loader.facts_cache import limits_key
from kg.loader.limits import Limits, budget_report
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
    assert "inference budget of 0 steps spent" in listed[0]
    marked = _rows(store, "MATCH (m:Module) WHERE m.budget_exceeded IS NOT NULL RETURN m.name")
    assert marked == [["app.things"]]
    functions = {r[0] for r in _rows(store, "MATCH (f:Function) RETURN f.qualname")}
    assert functions == {"app.things.Thing.go", "app.things.make", "app.things.use"}
    # loaded without inference: the call of make() by name; make().go() needs inference
    assert ("app.things.use", "app.things.make", "name") in _calls(store)
    assert not any(r[2] == "inference" for r in _calls(store))


def test_a_real_budget_reports_nothing_and_infers(tmp_path):
    result, store = _load(tmp_path)            # the default, 1,500,000 steps
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
    extraction = extract(root, "r", limits=Limits(inference_budget=0))
    modules = extraction.facts.nodes["Module"]
    spent = {row["name"] for row in modules.values() if row.get("budget_exceeded")}
    assert spent == {"app.things", "app.later"}      # each ran out on its own first inference
    generous = extract(root, "r", limits=Limits(inference_budget=1_000_000))
    assert not any(r.get("budget_exceeded") for r in generous.facts.nodes["Module"].values())
    assert not generous.step_errors and not extraction.step_errors


def _context(tmp_path, source: str, budget: int | None) -> ModuleContext:
    tree = astroid.parse(source, module_name="budgeted")
    parsed = ParsedModule(source=None, text=source, tree=tree, error=None, sha256="")
    project = Project(repo="r", modules={}, limits=Limits(inference_budget=budget))
    project.register(tree, "r:Module:budgeted")
    return ModuleContext(project, parsed)


CHAIN = ("class Thing:\n    pass\n"
         + "".join(f"def f{i}():\n    return f{i + 1}()\n" for i in range(30))
         + "def f30():\n    return Thing()\n\nresult = f0()\nother = Thing()\n")


def test_a_budget_passed_mid_inference_stops_astroid_there():
    """The step count is read inside astroid's own inference (its count of inferred nodes),
    so one long inference is cut short, not only the ones after it."""
    tree = astroid.parse(CHAIN, module_name="chain")
    call = tree.body[-2].value
    astroid_context._invalidate_cache()
    assert [v.name for v in _inferred_values(call, None)] == ["Thing"]
    astroid_context._invalidate_cache()
    started = inference_steps.taken()
    assert [v.name for v in _inferred_values(call, started + 10_000)] == ["Thing"]
    taken = inference_steps.taken() - started
    assert 30 < taken < 10_000         # a step per function of the chain at least
    astroid_context._invalidate_cache()
    started = inference_steps.taken()
    assert _inferred_values(call, started + taken // 2) == []
    assert inference_steps.taken() - started < taken


def test_once_spent_infer_answers_nothing_and_astroid_keeps_no_cut_result(tmp_path):
    ctx = _context(tmp_path, CHAIN, budget=0)
    ctx.facts.add_node("Module", "r:Module:budgeted", name="budgeted")
    other = ctx.tree.body[-1].value
    assert ctx.infer(other) == []
    assert ctx.budget_exceeded.startswith(f"line {other.lineno}: inference budget of 0 steps")
    assert ctx.facts.node("Module", "r:Module:budgeted")["budget_exceeded"] == \
        ctx.budget_exceeded
    assert ctx.infer(ctx.tree.body[-2].value) == []
    assert not astroid_context._INFERENCE_CACHE


def test_without_a_budget_infer_is_unbounded(tmp_path):
    ctx = _context(tmp_path, CHAIN, budget=None)
    assert [v.name for v in ctx.infer(ctx.tree.body[-1].value)] == ["Thing"]
    assert ctx.budget_exceeded is None and ctx.inference_steps == 0


def test_steps_add_up_across_inferences(tmp_path):
    ctx = _context(tmp_path, CHAIN, budget=1_000_000)
    assert [v.name for v in ctx.infer(ctx.tree.body[-2].value)] == ["Thing"]
    first = ctx.inference_steps
    assert first > 30
    ctx.infer(ctx.tree.body[-1].value)
    assert ctx.inference_steps > first and ctx.budget_exceeded is None


# Each method assigns self.a and self.b from each other: inferring one finds every
# assignment of both, in every method, so the work grows with the cube of the methods (32
# methods take astroid some 600,000 steps, 10 to 20 CPU seconds). A pathological module.
PATHOLOGICAL = ("class C:\n    def __init__(self):\n        self.a = 0\n        self.b = ''\n"
                + "".join(f"    def m{i}(self):\n        self.a = self.b + self.a\n"
                          f"        self.b = self.a * self.b\n        return self.a.m{i}()\n"
                          for i in range(8))
                + "r = C().m0()\n")


def _infer_every_call(ctx: ModuleContext) -> list[list[str]]:
    astroid_context._invalidate_cache()         # as the loader does before each module
    return [[f"{type(v).__name__} {getattr(v, 'name', '')}" for v in ctx.infer(call)]
            for call in ctx.tree.nodes_of_class(nodes.Call)]


def test_the_budget_is_a_number_of_steps_the_module_may_take(tmp_path):
    """The same module takes the same steps each time; a budget of exactly that many cuts
    nothing, one step less cuts it at the inference that takes the last one."""
    unbounded = _context(tmp_path, PATHOLOGICAL, budget=10**12)
    inferred = _infer_every_call(unbounded)
    steps = unbounded.inference_steps
    assert steps > 5_000 and unbounded.budget_exceeded is None
    again = _context(tmp_path, PATHOLOGICAL, budget=10**12)
    assert _infer_every_call(again) == inferred and again.inference_steps == steps

    exact = _context(tmp_path, PATHOLOGICAL, budget=steps)
    assert _infer_every_call(exact) == inferred
    assert exact.budget_exceeded is None and exact.inference_steps == steps

    short = _context(tmp_path, PATHOLOGICAL, budget=steps - 1)
    short.facts.add_node("Module", "r:Module:budgeted", name="budgeted")
    cut = _infer_every_call(short)
    assert short.budget_exceeded is not None
    last = len(inferred) - 1                   # each inference takes a step at least
    assert inferred[last]
    assert cut[:last] == inferred[:last] and cut[last] == []
    line = list(short.tree.nodes_of_class(nodes.Call))[last].lineno
    assert short.budget_exceeded == (f"line {line}: inference budget of {steps - 1:,} steps "
                                     f"spent; the rest of the module resolved without "
                                     f"inference")


def _dump(extraction) -> list[str]:
    facts = extraction.facts
    lines = [json.dumps(["N", label, row], sort_keys=True, default=repr)
             for label, rows in facts.nodes.items() for row in rows.values()]
    lines += [json.dumps(["E", e.type, e.src, e.dst, e.props], sort_keys=True, default=repr)
              for e in facts.edges]
    return sorted(lines)


def _busy(stop: threading.Event) -> None:
    """Spend CPU in this process (a thread shares its CPU time and the interpreter)."""
    while not stop.is_set():
        sum(range(1000))


def test_a_cut_module_is_cut_alike_however_busy_the_cpu(tmp_path):
    """Under CPU seconds a busy process spent its budget sooner; steps are steps."""
    root = write_package(tmp_path / "src", {"app/__init__.py": "",
                                            "app/patho.py": PATHOLOGICAL, "app/plain.py": APP[
                                                "app/things.py"]})
    limits = Limits.of(5_000)
    quiet = extract(root, "r", limits=limits)
    stop = threading.Event()
    busy = threading.Thread(target=_busy, args=(stop,))
    busy.start()
    try:
        loaded = extract(root, "r", limits=limits)
    finally:
        stop.set()
        busy.join()
    assert _dump(loaded) == _dump(quiet)
    report = budget_report(loaded.facts)
    assert list(report) == ["app/patho.py"]          # the plain module is not cut
    assert report["app/patho.py"].startswith("line ")
    line = int(report["app/patho.py"].split()[1].rstrip(":"))
    assert "(" in PATHOLOGICAL.splitlines()[line - 1]  # the line of a call
    assert "inference budget of 5,000 steps spent" in report["app/patho.py"]


def test_the_facts_cache_is_keyed_by_the_steps():
    assert limits_key(Limits.of(5_000)) != limits_key(Limits.of(5_001))
    assert "inference_steps=5000 " in limits_key(Limits.of(5_000))
    assert "inference_steps=None " in limits_key(Limits(inference_budget=None))


def test_unusable_budgets_exit_2_saying_why(tmp_path):
    for bad, why in (("30", "no longer CPU seconds"), ("0.5", "no longer CPU seconds"),
                     ("2000.5", "not a whole number"), ("nan", "not a whole number"),
                     ("inf", "not a whole number")):
        result, _ = _load(tmp_path / bad, "--inference-budget", bad)
        assert result.exit_code == 2, (bad, result.output)
        assert why in result.output and "--inference-budget" in result.output, result.output
    result, _ = _load(tmp_path / "negative", "--inference-budget", "-1")
    assert result.exit_code == 2
    result, store = _load(tmp_path / "smallest", "--inference-budget", "1000")
    assert result.exit_code == 0, result.output


def test_a_budget_in_seconds_in_the_settings_exits_2(tmp_path):
    root = write_package(tmp_path / "src", {**APP, "pyproject.toml":
                                            "[tool.kg]\ninference_budget = 60\n"})
    result = CliRunner().invoke(cli, ["load", str(root), "-q", "--store",
                                      str(tmp_path / "store")])
    assert result.exit_code == 2
    assert "inference_budget" in result.output and "no longer CPU seconds" in result.output
