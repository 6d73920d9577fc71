"""What every extraction step shares: the project's trees, node ids, cached inference.

Ids are computed from a definition alone (repo, label, qualified name, and
the line when a scope defines the same name twice), so any step, in any
order or process, names a node the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import astroid
from astroid import nodes
from astroid.context import InferenceContext
from astroid.exceptions import AstroidError

from kg.loader import inference_cache, inference_steps
from kg.loader.limits import Limits
from kg.loader.module_nodes import ModuleNodes
from kg.loader.parse import ParsedModule
from kg.model.facts import Facts

DEFINITIONS = (nodes.Module, nodes.ClassDef, nodes.FunctionDef, nodes.AsyncFunctionDef)
FUNCTIONS = (nodes.FunctionDef, nodes.AsyncFunctionDef)


def label_of(node: nodes.NodeNG) -> str:
    if isinstance(node, nodes.Module):
        return "Module"
    if isinstance(node, nodes.ClassDef):
        return "Class"
    return "Function"


@dataclass
class Project:
    """The loaded repository: its parsed modules and the ids of its definitions."""

    repo: str
    modules: dict[str, ParsedModule]                 # dotted name -> parsed module
    facts: Facts = field(default_factory=Facts)
    ids: dict[int, str] = field(default_factory=dict)  # id(astroid node) -> kg id
    _nodes: dict[int, nodes.NodeNG] = field(default_factory=dict)  # keeps id() keys alive
    # step name -> what a step collects module by module and resolves after all modules
    pending: dict[str, object] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)

    def register(self, node: nodes.NodeNG, kg_id: str) -> None:
        self.ids[id(node)] = kg_id
        self._nodes[id(node)] = node

    def id_of(self, node: nodes.NodeNG) -> str | None:
        """The kg id of a definition in the loaded code, None for anything else."""
        return self.ids.get(id(node))

    def is_local(self, node: nodes.NodeNG) -> bool:
        return id(node) in self.ids

    def definitions(self) -> Iterator[nodes.NodeNG]:
        """Every registered Module, ClassDef and FunctionDef, without walking a tree."""
        return iter(list(self._nodes.values()))

    def external_id(self, qualname: str) -> str:
        return f"{self.repo}:External:{qualname}"

    def trees(self) -> Iterator[ParsedModule]:
        for name in sorted(self.modules):
            if self.modules[name].tree is not None:
                yield self.modules[name]


@dataclass
class ModuleContext:
    project: Project
    parsed: ParsedModule
    _inferred: dict[int, list] = field(default_factory=dict)
    inference_steps: int = 0                # astroid inference steps this module took
    budget_exceeded: str | None = None      # set once the inference budget is spent

    _nodes: ModuleNodes | None = None

    @property
    def tree(self) -> astroid.Module:
        return self.parsed.tree

    @property
    def nodes(self) -> ModuleNodes:
        """The module's nodes in source order, from one walk every step shares."""
        if self._nodes is None:
            self._nodes = ModuleNodes(self.tree)
        return self._nodes

    def forget(self) -> None:
        """Drop what extracting the module cached (a worker's memory, once it is done)."""
        self._inferred, self._nodes = {}, None

    def nodes_of(self, classes: type | tuple[type, ...]) -> list[nodes.NodeNG]:
        """What `self.tree.nodes_of_class(classes)` yields, without walking the tree again."""
        return self.nodes.of(classes)

    @property
    def repo(self) -> str:
        return self.project.repo

    @property
    def facts(self) -> Facts:
        return self.project.facts

    @property
    def file(self) -> str:
        return self.parsed.source.rel

    @property
    def module_name(self) -> str:
        return self.parsed.source.module

    def position(self, node: nodes.NodeNG) -> dict:
        """The `file`, `line`, `end_line` properties of a node."""
        line = node.lineno or 0
        return {"repo": self.repo, "file": self.file, "line": line,
                "end_line": getattr(node, "end_lineno", None) or line}

    def scope_of(self, node: nodes.NodeNG) -> tuple[str, str]:
        """(label, id) of the nearest enclosing Function or Module (class bodies run at import)."""
        scope = node.scope()
        while scope is not None:
            if isinstance(scope, FUNCTIONS + (nodes.Module,)):
                kg_id = self.project.id_of(scope)
                if kg_id is not None:
                    return label_of(scope), kg_id
            if isinstance(scope, nodes.Module):
                break
            scope = scope.parent.scope() if scope.parent is not None else None
        return "Module", self.project.id_of(self.tree)

    def container_of(self, node: nodes.NodeNG) -> tuple[str, str]:
        """(label, id) of the nearest enclosing Module, Class or Function (for CONTAINS)."""
        scope = node.scope() if not isinstance(node, DEFINITIONS) else node.parent.scope()
        while not isinstance(scope, DEFINITIONS):
            scope = scope.parent.scope()
        kg_id = self.project.id_of(scope)
        if kg_id is None:
            return "Module", self.project.id_of(self.tree)
        return label_of(scope), kg_id

    def infer(self, node: nodes.NodeNG) -> list:
        """Inferred values of a node, cached; [] when inference fails or gives up, and for
        whatever the module asks once its inference budget is spent (limits.py)."""
        key = id(node)
        if key not in self._inferred:
            if self.budget_exceeded is not None:
                return []
            self._inferred[key] = self._infer_within_budget(node)
        return self._inferred[key]

    def _infer_within_budget(self, node: nodes.NodeNG) -> list:
        """The module may take `budget` steps (inference_steps.py): the inference that takes
        one more is cut there, and the module is marked."""
        budget = self.project.limits.inference_budget
        if budget is None:
            return _inferred_values(node, None)
        if self.inference_steps >= budget:
            self._budget_spent(node, budget)
            return []
        started = inference_steps.taken()
        values = _inferred_values(node, started + budget - self.inference_steps)
        self.inference_steps += inference_steps.taken() - started
        if self.inference_steps > budget:
            self._budget_spent(node, budget)
            return []
        return values

    def _budget_spent(self, node: nodes.NodeNG, budget: int) -> None:
        """Mark the module (its Module node carries why) and drop what astroid cached from an
        inference the budget cut short, so no later module or step reuses it as complete."""
        self.budget_exceeded = (f"line {node.lineno or 1}: inference budget of {budget:,} "
                                f"steps spent; the rest of the module resolved without "
                                f"inference")
        self.facts.add_node("Module", self.project.id_of(self.tree),
                            budget_exceeded=self.budget_exceeded)
        inference_cache.forget()

    def call_site_id(self, call: nodes.Call) -> str:
        """Start and end position: chained calls (`a().b()`, `f()()`) share their start."""
        return (f"{self.repo}:CallSite:{self.file}:{call.lineno}:{call.col_offset}"
                f":{call.end_lineno}:{call.end_col_offset}")

    def assignment_id(self, node: nodes.NodeNG) -> str:
        return f"{self.repo}:Assignment:{self.file}:{node.lineno}:{node.col_offset}"


_INFERENCE_FAILURES = (AstroidError, RecursionError, StopIteration, TypeError, ValueError,
                       AttributeError, KeyError, IndexError)


def _inferred_values(node: nodes.NodeNG, last_step: int | None) -> list:
    """node.infer() without Uninferable; with a last step (of inference_steps' count), cut
    short past it."""
    if last_step is None:
        try:
            return [v for v in node.infer() if v is not astroid.Uninferable]
        except _INFERENCE_FAILURES:
            return []
    values = []
    taken = inference_steps.counted()
    try:
        for value in node.infer(context=InferenceContext(nodes_inferred=_Deadline(last_step))):
            if value is not astroid.Uninferable:
                values.append(value)
            if taken[0] > last_step:
                break
    except _INFERENCE_FAILURES:
        return []
    return values


class _Deadline(list):
    """astroid's count of the nodes one inference has inferred, a one-item list shared by
    every context the inference clones. astroid stops an inference that has inferred more
    than `InferenceContext.max_inferred` nodes and answers Uninferable for the rest; once
    the step count has passed the last step this count reads as over that limit, so astroid
    winds the inference down itself, leaving its caches consistent (no signal or thread
    interrupts it)."""

    __slots__ = ("last_step", "taken")

    def __init__(self, last_step: int):
        super().__init__([0])
        self.last_step = last_step
        self.taken = inference_steps.counted()

    def __getitem__(self, index):
        if self.taken[0] > self.last_step:
            list.__setitem__(self, 0, 1 << 30)
        return list.__getitem__(self, index)
