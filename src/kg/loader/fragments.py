"""One module's share of the facts, extracted on its own and merged in module order.

Extracting a module writes into a fresh `FragmentFacts` instead of the
project's facts, and what the steps collect for the project-wide steps
(`project.pending`) is taken out per module. A fragment therefore depends only
on the module and on the project it was extracted in, never on which modules
the same process extracted before it, so fragments made by several processes
(parallel.py) or kept from an earlier load (facts_cache.py) merge into what
one sequential pass gives:

- a node several modules add is merged as `Facts.add_node` would: the first
  row, then each later module's non-null properties;
- a node a step added only after `facts.node()` said it was missing (the
  imports step's External, which must not overwrite the io the calls step
  found) is dropped when an earlier module already added it, as the
  sequential pass would not have added it. This holds because the imports
  step is the last step that adds an External;
- ENTERS is added once per (entry point, target), as entrypoints._enters does.

What the steps keep in `project.pending` is either a per-module contribution
(CONTRIBUTIONS, merged in module order) or a cache that any module may
rebuild (CACHES). A contribution may hold astroid nodes and module contexts
(calls_flow's arrivals): `dumps` writes each as its module and its path of
child positions, and `loads` finds it again in the trees of the process that
reads the fragment, which parsed the same text. A key in neither (say, records holding astroid
nodes for a project-wide step) cannot travel between processes or loads: the
fragment names it in `process_bound`, and the extraction then extracts every
module in the one process instead (extract.py), slower but still right.
"""

from __future__ import annotations

import io
import pickle
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice

import astroid
from astroid import nodes

from kg.loader import calls_dispatch, calls_flow, clones, commands, inference_cache
from kg.loader.context import ModuleContext, Project
from kg.model.facts import Facts

ENTERS_DONE = "entrypoints.enters"


def _merge_lists(into: list | None, part: list) -> list:
    return [*(into or []), *part]


def _merge_cli(into: commands.CliRegistry | None,
               part: commands.CliRegistry) -> commands.CliRegistry:
    merged = into or commands.CliRegistry()
    merged.objects.update(part.objects)
    merged.registrations.extend(part.registrations)
    return merged


def _merge_flow(into: calls_flow.Flow | None, part: calls_flow.Flow) -> calls_flow.Flow:
    """Arrivals, watched calls and appends are the module's; its class families are a cache."""
    return calls_flow.merge(into, part)


# pending key -> how a module's contribution joins the ones before it
CONTRIBUTIONS: dict[str, Callable] = {
    calls_flow.PENDING_KEY: _merge_flow,
    calls_dispatch.PENDING_KEY: calls_dispatch.merge,
    "cli": _merge_cli,
    "entrypoints.runners": _merge_lists,
    "spawns.commands": _merge_lists,
    clones.PENDING_KEY: _merge_lists,
}
CACHES = frozenset({"calls.names", "calls_implicit.dunders", "classes", "imports.namespaces",
                    "calls.wrappers", "calls.lambdas", ENTERS_DONE, calls_dispatch.CLASSES_KEY,
                    calls_flow.FAMILIES_KEY})


@dataclass
class FragmentFacts(Facts):
    """Facts that remember which nodes a step looked up and did not find."""

    absent: set[tuple[str, str]] = field(default_factory=set)

    def node(self, label: str, id: str) -> dict | None:
        row = super().node(label, id)
        if row is None:
            self.absent.add((label, id))
        return row


@dataclass
class Fragment:
    module: str
    file: str
    sha256: str
    facts: FragmentFacts
    pending: dict[str, object]
    imports: list[str]              # modules named by its import statements (incremental.py)
    step_error: str | None = None
    seconds: float = 0.0            # CPU seconds its extraction took
    process_bound: tuple[str, ...] = ()   # pending keys left in the extracting process
    binds: list[str] = field(default_factory=list)      # ModuleNames.binds
    through: list[str] = field(default_factory=list)    # ModuleNames.through


Step = Callable[[ModuleContext], None]


def extract_module(ctx: ModuleContext, steps: Iterable[Step], strict: bool) -> Fragment:
    """Run every step on one module, into a fragment of its own."""
    project = ctx.project
    started = time.process_time()
    shared = project.facts
    project.facts = FragmentFacts()
    for key in CONTRIBUTIONS:
        project.pending.pop(key, None)
    project.pending[ENTERS_DONE] = set()
    inference_cache.forget()
    error = None
    try:
        for step in steps:
            try:
                step(ctx)
            except Exception as e:  # a loader bug must not lose the rest of the load
                if strict:
                    raise
                if error is None:
                    error = f"{step.__module__}: {type(e).__name__}: {e}"[:500]
        facts = project.facts
    finally:
        project.facts = shared
    # joined to nothing, a contribution keeps only its records, not its process's caches
    pending = {key: CONTRIBUTIONS[key](None, project.pending.pop(key))
               for key in CONTRIBUTIONS if key in project.pending}
    names = module_names(ctx)
    return Fragment(module=ctx.module_name, file=ctx.file, sha256=ctx.parsed.sha256,
                    facts=facts, pending=pending, imports=names.imports,
                    step_error=error, seconds=time.process_time() - started,
                    process_bound=process_bound(project), binds=names.binds,
                    through=names.through)


def process_bound(project: Project) -> tuple[str, ...]:
    """The pending keys that are neither a contribution nor a cache."""
    return tuple(sorted(set(project.pending) - set(CONTRIBUTIONS) - CACHES))


def merge(fragments: Iterable[Fragment], facts: Facts, project: Project) -> None:
    """Add the fragments, in the order given, to facts and their contributions to pending."""
    enters: set[tuple[str, str]] = set()
    for fragment in fragments:
        _merge_facts(fragment.facts, facts, enters)
        for key, part in fragment.pending.items():
            project.pending[key] = CONTRIBUTIONS[key](project.pending.get(key), part)
    project.pending[ENTERS_DONE] = enters


def _merge_facts(part: FragmentFacts, facts: Facts, enters: set) -> None:
    for label, rows in part.nodes.items():
        merged = facts.nodes[label]
        for id, row in rows.items():
            existing = merged.get(id)
            if existing is None:
                merged[id] = dict(row)
            elif (label, id) not in part.absent:
                existing.update({k: v for k, v in row.items() if v is not None})
    for edge in part.edges:
        if edge.type == "ENTERS":
            key = (edge.src, edge.dst)
            if key in enters:
                continue
            enters.add(key)
        facts.edges.append(edge)


@dataclass(frozen=True)
class ModuleNames:
    """What a module's import statements read and bind (incremental.py): `import a.b` reads
    and binds a and a.b (a.b is looked up in a's names first); `import a.b as c` binds a.b
    alone; `from .c import d` reads pkg.c and pkg.c.d (d may be a module), not pkg, since
    astroid finds pkg.c by its name among the parsed modules, never through pkg's
    `__init__`; it binds pkg.c.d, or whatever module pkg.c binds as d."""

    imports: list[str]      # modules whose text the statements read
    binds: list[str]        # module objects the statements may bind in the module's names
    through: list[str]      # `from W import ...`: W, whose own bound modules may come along


def module_names(ctx: ModuleContext) -> ModuleNames:
    imports: set[str] = set()
    binds: set[str] = set()
    through: set[str] = set()
    for node in ctx.tree.nodes_of_class((nodes.Import, nodes.ImportFrom)):
        if isinstance(node, nodes.Import):
            for name, alias in node.names:
                parts = name.split(".")
                prefixes = {".".join(parts[:end]) for end in range(1, len(parts) + 1)}
                imports.update(prefixes)
                binds.update(prefixes if alias is None else {name})
            continue
        try:
            base = node.root().relative_to_absolute_name(node.modname, node.level)
        except Exception:  # a relative import beyond the top package names nothing
            continue
        imports.add(base)
        through.add(base)
        for name, _ in node.names:
            if name == "*":
                binds.add(base)     # its `__all__` may name submodules
            else:
                imports.add(f"{base}.{name}")
                binds.add(f"{base}.{name}")
    return ModuleNames(sorted(imports), sorted(binds), sorted(through))


class Unrelocatable(Exception):
    """A contribution holds an astroid node that is not part of a loaded module's tree."""


def dumps(fragment: Fragment, project: Project) -> bytes:
    """A fragment as bytes another process (or a later load) can `loads` against its trees."""
    pending, fragment.pending = fragment.pending, {}
    try:
        plain = pickle.dumps(fragment, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        fragment.pending = pending
    buffer = io.BytesIO()
    try:
        _NodePickler(buffer, project).dump(pending)
    except (pickle.PicklingError, AttributeError, TypeError, RecursionError) as e:
        raise Unrelocatable(f"{type(e).__name__}: {e}") from None
    return pickle.dumps((plain, buffer.getvalue()), protocol=pickle.HIGHEST_PROTOCOL)


def loads(data: bytes, contexts: dict[str, ModuleContext]) -> Fragment:
    plain, pending = pickle.loads(data)
    fragment = pickle.loads(plain)
    fragment.pending = _NodeUnpickler(io.BytesIO(pending), contexts).load()
    return fragment


class _NodePickler(pickle.Pickler):
    def __init__(self, file, project: Project):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.project = project

    def persistent_id(self, obj):
        if isinstance(obj, ModuleContext):
            return ("ctx", obj.module_name)
        if isinstance(obj, nodes.NodeNG):
            located = _locate(obj)
            if located is None:
                return None
            module, path = located
            parsed = self.project.modules.get(module)
            if parsed is not None and parsed.tree is obj.root():
                return ("node", module, path, type(obj).__name__)
            if astroid.MANAGER.astroid_cache.get(module) is obj.root():
                return ("library", module, path, type(obj).__name__)   # built alike
            return None                             # a module astroid made up: by value
        return None

    def reducer_override(self, obj):
        """A node travelling by value, without the inference tip a brain attached to it
        (a local function): in the other process it is a value, never inferred again."""
        if isinstance(obj, nodes.NodeNG) and "_explicit_inference" in obj.__dict__:
            state = {k: v for k, v in obj.__dict__.items() if k != "_explicit_inference"}
            return _new_node, (type(obj),), state
        return NotImplemented


def _new_node(cls):
    return cls.__new__(cls)


class _NodeUnpickler(pickle.Unpickler):
    def __init__(self, file, contexts: dict[str, ModuleContext]):
        super().__init__(file)
        self.contexts = contexts

    def persistent_load(self, pid):
        if pid[0] == "library":
            node = astroid.MANAGER.ast_from_module_name(pid[1])
        else:
            ctx = self.contexts.get(pid[1])
            if ctx is None:
                raise Unrelocatable(f"no module {pid[1]} in this load")
            if pid[0] == "ctx":
                return ctx
            node = ctx.tree
        for position in pid[2]:
            node = next(islice(node.get_children(), position, None), None)
            if node is None:
                break
        if node is None or type(node).__name__ != pid[3]:
            # the tree is not the one the fragment was made against: the incremental rule
            # kept a fragment it should have extracted again (extract.py then extracts all)
            raise Unrelocatable(f"no {pid[3]} at {pid[2]} in {pid[1]}")
        return node


def _locate(node: nodes.NodeNG) -> tuple[str, tuple[int, ...]] | None:
    """The module of a node and its path of child positions from the module's tree; None for
    a node that is not a child of its parent (a value inference made, such as a copy of a
    literal), which no other process could find in its trees: it travels by value, a new
    object there, as a fresh inference would give."""
    path = []
    while node.parent is not None:
        parent = node.parent
        position = next((i for i, child in enumerate(parent.get_children()) if child is node),
                        None)
        if position is None:
            return None
        path.append(position)
        node = parent
    if not isinstance(node, nodes.Module):
        raise Unrelocatable(f"{type(node).__name__} outside any module")
    return node.name, tuple(reversed(path))
