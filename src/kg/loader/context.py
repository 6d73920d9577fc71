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
from astroid.exceptions import AstroidError

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

    @property
    def tree(self) -> astroid.Module:
        return self.parsed.tree

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
        """Inferred values of a node, cached; [] when inference fails or gives up."""
        key = id(node)
        if key not in self._inferred:
            try:
                values = [v for v in node.infer() if v is not astroid.Uninferable]
            except (AstroidError, RecursionError, StopIteration, TypeError, ValueError,
                    AttributeError, KeyError, IndexError):
                values = []
            self._inferred[key] = values
        return self._inferred[key]

    def call_site_id(self, call: nodes.Call) -> str:
        """Start and end position: chained calls (`a().b()`, `f()()`) share their start."""
        return (f"{self.repo}:CallSite:{self.file}:{call.lineno}:{call.col_offset}"
                f":{call.end_lineno}:{call.end_col_offset}")

    def assignment_id(self, node: nodes.NodeNG) -> str:
        return f"{self.repo}:Assignment:{self.file}:{node.lineno}:{node.col_offset}"
