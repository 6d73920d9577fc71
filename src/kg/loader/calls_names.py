"""The loaded code's definitions by simple name: for the name fallback and for references.

Built once per load (the first time a module needs it) from the definitions
the loader registered, so it never walks a tree again, and kept in
`project.pending` so it goes with the Project.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from astroid import nodes

from kg.loader.context import ModuleContext, Project, label_of
from kg.loader.resolve import Target

# Confidence of a name match, by where the definition is, divided by the number of matches.
SAME_MODULE, IMPORTED, ANYWHERE = 0.5, 0.4, 0.2


@dataclass(frozen=True)
class Definition:
    target: Target
    module: str
    is_method: bool


@dataclass
class NameIndex:
    definitions: dict[str, list[Definition]] = field(default_factory=lambda: defaultdict(list))
    variables: set[str] = field(default_factory=set)     # module-level assigned names
    names: set[str] = field(default_factory=set)         # either: worth resolving as a use


def index_of(project: Project) -> NameIndex:
    """The project's index, built on first use and kept in the project's scratch space."""
    index = project.pending.get("calls.names")
    if index is None:
        index = project.pending["calls.names"] = _build(project)
    return index


def _build(project: Project) -> NameIndex:
    index = NameIndex()
    found = [(project.id_of(n), n) for n in project.definitions() if not isinstance(n, nodes.Module)]
    for kg_id, node in sorted(found, key=lambda pair: pair[0]):
        label = label_of(node)
        target = Target(label, kg_id, node.qname())
        is_method = isinstance(node.parent, nodes.ClassDef) if label == "Function" else False
        index.definitions[node.name].append(Definition(target, node.root().name, is_method))
    for parsed in project.trees():
        index.variables.update(name for name, assigned in parsed.tree.locals.items()
                               if any(isinstance(n, nodes.AssignName) for n in assigned))
    index.names = set(index.definitions) | index.variables
    return index


class ModuleNames:
    """Name matching as seen from one module: its own definitions first, then what it imports."""

    def __init__(self, ctx: ModuleContext):
        self.ctx = ctx
        self.index = index_of(ctx.project)
        self._imported: set[str] | None = None

    def by_name(self, name: str, is_attribute: bool) -> list[tuple[Target, float]]:
        """Definitions called `name`, the nearest group only: this module, else modules it
        imports, else anywhere. A plain name never matches a method."""
        found = [d for d in self.index.definitions.get(name, ())
                 if is_attribute or not d.is_method]
        if not found:
            return []
        same = [d for d in found if d.module == self.ctx.module_name]
        near = [d for d in found if d.module in self.imported()]
        if same:
            group, weight = same, SAME_MODULE
        elif near:
            group, weight = near, IMPORTED
        else:
            group, weight = found, ANYWHERE
        return [(d.target, round(weight / len(group), 3)) for d in group]

    def imported(self) -> set[str]:
        """Absolute names of the modules this module imports, and of the names it imports
        from them (which may be submodules), from the text of the imports."""
        if self._imported is None:
            out: set[str] = set()
            for node in self.ctx.nodes_of((nodes.Import, nodes.ImportFrom)):
                if isinstance(node, nodes.Import):
                    out.update(name for name, _ in node.names)
                    continue
                base = absolute_module(self.ctx, node)
                out.add(base)
                out.update(f"{base}.{name}" for name, _ in node.names)
            self._imported = out
        return self._imported


def absolute_module(ctx: ModuleContext, node: nodes.ImportFrom) -> str:
    if not node.level:
        return node.modname
    parts = ctx.module_name.split(".")
    if not ctx.parsed.source.is_package:
        parts = parts[:-1]
    parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
    return ".".join([*parts, node.modname] if node.modname else parts)
