"""Which modules an incremental load extracts again, and which facts it may reuse.

A module's facts depend on its own text, on the modules its inference may go
through, and on a few project-wide indexes the steps consult by name (the
definitions for by-name resolution, module-level variables, field names, the
project's NamedTuple classes, the module names themselves). So a module is
extracted again when

1. its content changed, or it is new (a content *seed*); a deleted module is a
   seed too;
2. it imports a seed, directly or through other modules (the reverse import
   closure): `import a.b` imports `a` and `a.b`, `from a import c` imports `a`
   and `a.c` (re-exports through `__init__` are imports of the package), but
   `from a.b import c` imports `a.b` and `a.b.c`, not `a`: astroid finds `a.b`
   by its name among the parsed modules and never reads `a/__init__.py` for it.
   A module that holds a package's module object and names one of its
   submodules (`pkg.sub.f`, which astroid finds without an import) depends on
   that submodule; it holds the modules its imports bind (`import a.b` binds
   `a` and `a.b`, `from a import c` binds `a.c` if it is a module) and, through
   `from W import ...`, the modules W's imports bind in turn (a re-export). It
   names `sub` when its tree holds `sub` as an attribute (`x.sub`, `x.sub = v`,
   `del x.sub`, in an f-string too), as a string constant (`getattr(pkg,
   "sub")`), as a name a `from W import` statement imports, or, in a module with
   a wildcard import, as a bare name (`naming_words`); a parameter, a local, a
   comment or a docstring holding the word does not name it;
3. its text names a name whose index entry changed: a function renamed, a field
   added, a module added or removed (its last dotted part), a class that gained or
   lost a subclass anywhere in the project (listed under the ancestor's name), a
   property made or unmade (`x = property(getx)`, a method decorated `@property`:
   reading `obj.x` then calls its accessor, also in a module that has obj through an
   attribute another module assigned and does not import the class's), ...;
4. it defines a class of which a module defines a subclass, directly or not, and
   what that module's text holds for the class's fragment changed (its *heir shape*,
   below). The steps look at a class's subclasses: calls_dispatch keeps `self.x()` only
   in a class that has some (whether it has is rule 3's "heir" entry), and calls_flow
   follows `self.callback()` to what the subclasses' methods (or code of their module
   assigning on their instances) assign, and on through the names those values read,
   keeping the nodes it reaches in the base's fragment, located by their path of child
   positions (fragments.py); the subclass's module imports the base's, not the other way
   round. What the walk can reach of the subclass's module is its top-level statements
   other than definitions, the top-level statement holding a subclass, one holding an
   assignment astroid recorded on a subclass's instance, and a function declaring a
   `global`; the heir shape is their text and their index among the module's statements.
   A function appended to the module, or an edit inside a function or class that holds
   none of these, leaves it as it was;
5. it defines, or its text names, an attribute that a module assigns on an object
   of another module (`util.helper = fake`, `holder.service = build()`), and the
   assigning module is extracted again: astroid records such an assignment where
   the object lives (the module's or class's locals, the class's instance
   attributes), so whoever reads the attribute there sees the value without
   importing the assigning module, nor the modules the value comes from. Such a
   reader counts as importing the assigning module in rule 2's closure: an edit
   of what `build()` returns, or of a method of what it returns, reaches the
   reader through the assigning module's imports, and whoever imports the reader
   after it. Each such assignment, its text and its place in its module's tree are
   also in the attribute's index entry (rule 3), which is all a literal value
   (`text.end = ""`) needs: it never makes a reader an importer, so an edit
   elsewhere in its module sends nobody back; or
6. the set of dunder methods the project's classes define changed (operators
   may then call something else anywhere): then every module is.

Everything else keeps the fragment the facts cache holds from the previous
load. The rule errs on the side of extracting: a name shared by many modules
(`get`, `run`) sends all of them back, and that is what keeps an incremental
load equal to a full one.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from astroid import nodes

from kg.loader import assigned_properties
from kg.loader.calls_flow import heirs_of
from kg.loader.calls_implicit import ALL_DUNDERS
from kg.loader.context import ModuleContext, Project
from kg.loader.fields_access import synthetic_classes
from kg.loader.fields_decl import field_names
from kg.loader.resolve import is_property

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
GLOBAL = re.compile(r"\bglobal\b")
HEIRS = "heirs:"        # a signature key no identifier matches: the heir shape of a module


def signature(project: Project, ctx: ModuleContext | None) -> dict[str, str]:
    """name -> digest of everything the project-wide indexes hold under that name."""
    entries: dict[str, list] = defaultdict(list)
    for node in project.definitions():
        kg_id = project.id_of(node)
        if isinstance(node, nodes.Module):
            entries[node.name.rsplit(".", 1)[-1]].append(("module", kg_id))
            continue
        is_method = isinstance(node.parent, nodes.ClassDef)
        entries[node.name].append(("def", kg_id, node.qname(), node.root().name, is_method))
        for name, made in _properties(node):
            entries[name].append(("property", kg_id, made))
    for name, parsed in project.modules.items():
        last = name.rsplit(".", 1)[-1]
        entries[last].append(("file", name, parsed.source.rel, parsed.source.is_package,
                              parsed.tree is None))
        for part in name.split(".")[:-1]:
            entries[part].append(("package", name))
        if parsed.tree is not None:
            for local, assigned in parsed.tree.locals.items():
                if any(isinstance(n, nodes.AssignName) for n in assigned):
                    entries[local].append(("variable", name))
    pairs = ancestry(project)
    for ancestor, heir in pairs:
        entries[ancestor.name].append(("heir", project.id_of(heir)))
    for module, shape in heir_shapes(project, pairs).items():
        entries[HEIRS + module] = shape
    for found in foreign_assignments(project):
        entries[found.attribute].append(("assigned", found.owner, found.assigner,
                                         found.text, found.path))
    if ctx is not None:
        for name in field_names(ctx):
            entries[name].append(("field",))
        for (name, fields), cls in synthetic_classes(ctx).items():
            entries[name].append(("namedtuple", fields, project.id_of(cls)))
    return {name: hashlib.sha1(repr(sorted(map(repr, found))).encode()).hexdigest()[:16]
            for name, found in entries.items()}


def changed_names(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {name for name in set(before) | set(after) if before.get(name) != after.get(name)}


def tokens(text: str | None) -> set[str]:
    return set(IDENTIFIER.findall(text or ""))


def to_extract(project: Project, before_hashes: dict[str, str], names_of: dict[str, dict],
               changed: set[str]) -> set[str]:
    """The modules to extract again. before_hashes: module -> sha256 in the previous load;
    names_of: module -> its ModuleNames then ({"imports", "binds", "through"}), for the
    modules whose text is unchanged; changed: the names whose index entry changed."""
    current = {name: p.sha256 for name, p in project.modules.items() if p.tree is not None}
    if changed & ALL_DUNDERS:
        return set(current)
    seeds = {m for m, sha in current.items() if before_hashes.get(m) != sha}
    seeds |= set(before_hashes) - set(current)
    texts = {m: tokens(project.modules[m].text) for m in current}
    out = set(seeds & set(current))
    out |= {m for m, words in texts.items() if words & changed}
    assigned = [f for f in foreign_assignments(project) if not f.literal]
    out |= importers(seeds, names_of, texts, set(project.modules),
                     lambda module: naming_words(project.modules[module].tree),
                     _readers(assigned, texts))
    reshaped = {name[len(HEIRS):] for name in changed if name.startswith(HEIRS)}
    out |= {ancestor.root().name for ancestor, heir in ancestry(project)
            if heir.root().name in reshaped}
    return out & set(current)


def _readers(assigned: list[ForeignAssignment], texts: dict[str, set[str]]
             ) -> dict[str, set[str]]:
    """assigning module -> the modules that may read what it assigns on another module's
    object (rule 5): the object's module, and each module whose text names the attribute."""
    attributes = {f.attribute for f in assigned}
    naming: dict[str, set[str]] = defaultdict(set)
    for module, words in texts.items():
        for attribute in words & attributes:
            naming[attribute].add(module)
    readers: dict[str, set[str]] = defaultdict(set)
    for f in assigned:
        readers[f.assigner] |= naming[f.attribute] | {f.owner}
    return readers


def _properties(node: nodes.NodeNG) -> list[tuple[str, str]]:
    """(name, how it is made) for each property a definition makes: a method decorated as
    one, or a class body's `x = property(getx)`. Reading `obj.x` calls the accessor wherever
    obj is an instance of the class (calls_properties), also in a module that does not
    import the class's (its object came through an attribute another module assigned)."""
    if isinstance(node, nodes.ClassDef):
        return [(name, " | ".join(m.parent.as_string() for m in node.locals[name]
                                  if isinstance(m, nodes.AssignName)))
                for name in sorted(assigned_properties.names_made(node))]
    if isinstance(node, nodes.FunctionDef) and node.decorators and is_property(node):
        return [(node.name, node.decorators.as_string())]
    return []


def heir_shapes(project: Project, pairs: list[tuple[nodes.ClassDef, nodes.ClassDef]]
                ) -> dict[str, list[tuple[int, str, str]]]:
    """module -> its heir shape (rule 4): (index, kind, text digest) of each top-level
    statement the call-flow walk may reach from a subclass the module defines."""
    reached: dict[str, set[int]] = defaultdict(set)
    roots = {}
    for heir in {id(heir): heir for _, heir in pairs}.values():
        root = heir.root()
        roots[root.name] = root
        reached[root.name].add(id(_top(heir)))
        for targets in heir.instance_attrs.values():
            reached[root.name].update(id(_top(t)) for t in targets if t.root() is root)
    shapes = {}
    for name, root in roots.items():
        lines = (project.modules[name].text or "").splitlines()
        shape = []
        for index, statement in enumerate(root.body):
            text = _text(statement, lines)
            if _reachable(statement, reached[name], text):
                shape.append((index, type(statement).__name__,
                              hashlib.sha1(text.encode()).hexdigest()[:16]))
        shapes[name] = shape
    return shapes


def _reachable(statement: nodes.NodeNG, reached: set[int], text: str) -> bool:
    """Whether the walk may reach into a top-level statement: anything but a definition, one
    holding a subclass or an assignment on its instances, or a function binding a global
    (its assignments are the module's names)."""
    if id(statement) in reached or not isinstance(statement, nodes.FunctionDef | nodes.ClassDef):
        return True
    return isinstance(statement, nodes.FunctionDef) and GLOBAL.search(text) is not None


def _top(node: nodes.NodeNG) -> nodes.NodeNG:
    """The module-level statement that holds node."""
    while node.parent is not None and node.parent.parent is not None:
        node = node.parent
    return node


def _text(statement: nodes.NodeNG, lines: list[str]) -> str:
    """The statement's source lines, its decorators' included."""
    decorators = getattr(statement, "decorators", None)
    first = decorators.fromlineno if decorators else statement.fromlineno
    return "\n".join(lines[first - 1:statement.tolineno])


@dataclass(frozen=True, order=True)
class ForeignAssignment:
    """`obj.attribute = value` in one module, recorded by astroid on a definition of another."""

    attribute: str
    owner: str              # the module of the definition holding it
    assigner: str           # the module whose text assigns it
    path: tuple[int, ...]   # child positions from the assigner's tree (fragments' locators)
    text: str               # the assignment statement
    literal: bool           # the value is a literal: nothing in the assigner changes it


def foreign_assignments(project: Project) -> list[ForeignAssignment]:
    """Each attribute assignment astroid recorded on a definition of one module from another
    module's text. No tree is walked: astroid keeps them in the locals and instance
    attributes of what they assign to."""
    found = set()
    for node in project.definitions():
        root = node.root()
        if isinstance(node, nodes.Module):
            tables = (node.locals,)
        elif isinstance(node, nodes.ClassDef):
            tables = (node.locals, node.instance_attrs)
        else:
            tables = (node.instance_attrs,)
        for table in tables:
            for attribute, values in table.items():
                found |= {_foreign(attribute, root.name, value) for value in values
                          if isinstance(value, nodes.AssignAttr) and value.root() is not root}
    return sorted(found)


def _foreign(attribute: str, owner: str, target: nodes.AssignAttr) -> ForeignAssignment:
    statement = target.parent
    return ForeignAssignment(attribute, owner, target.root().name, _path(target),
                             statement.as_string(), _literal(getattr(statement, "value", None)))


def _path(node: nodes.NodeNG) -> tuple[int, ...]:
    path = []
    while node.parent is not None:
        path.append(next((i for i, child in enumerate(node.parent.get_children())
                          if child is node), -1))
        node = node.parent
    return tuple(reversed(path))


def _literal(value: nodes.NodeNG | None) -> bool:
    if isinstance(value, nodes.Const):
        return True
    if isinstance(value, nodes.UnaryOp):
        return _literal(value.operand)
    if isinstance(value, nodes.List | nodes.Tuple | nodes.Set):
        return all(_literal(e) for e in value.elts)
    if isinstance(value, nodes.Dict):
        return all(k is not None and _literal(k) and _literal(v) for k, v in value.items)
    return False


def ancestry(project: Project) -> list[tuple[nodes.ClassDef, nodes.ClassDef]]:
    """(ancestor, heir) for every class of the loaded code and each of its ancestors that
    is the loaded code's too, from the families calls_flow keeps for the steps (built once
    per load, whoever asks first)."""
    classes = {id(node): node for node in project.definitions()
               if isinstance(node, nodes.ClassDef)}
    return [(classes[ancestor], heir) for ancestor, heirs in heirs_of(project).items()
            if ancestor in classes for heir in heirs if heir is not classes[ancestor]]


def importers(seeds: set[str], names_of: dict[str, dict], texts: dict[str, set[str]],
              modules: set[str], words_of: Callable[[str], set[str]] | None = None,
              readers: dict[str, set[str]] | None = None) -> set[str]:
    """Every module that imports a seed, directly or not (see the module docstring). texts:
    module -> every word of its text; words_of(module): the words by which it may name a
    submodule (`naming_words`), asked only of a module the closure reaches through a
    submodule its text holds the last name of; without it, the texts' words stand for them.
    readers: module -> the modules that count as importing it because they may read what it
    assigns on another module's object (rule 5)."""
    children: dict[str, list[str]] = defaultdict(list)
    for name in modules:
        parent, _, last = name.rpartition(".")
        if parent:
            children[parent].append(last)
    known = modules | set(children)     # modules, and folders of modules (namespaces)
    exported = _exported_modules(names_of, known)
    imported_by: dict[str, set[str]] = defaultdict(set)
    for assigner, reading in (readers or {}).items():
        imported_by[assigner] |= reading
    named_by: dict[str, set[str]] = defaultdict(set)    # by the text's words: candidates
    held_by: dict[str, set[str]] = {}
    for module, names in names_of.items():
        for name in names.get("imports", ()):
            imported_by[name].add(module)
        held = {m for m in names.get("binds", ()) if m in known}
        for source in names.get("through", ()):
            held |= exported.get(source, set())
        held_by[module] = held
        for submodule in _named_submodules(held, exported, children, texts.get(module, set())):
            named_by[submodule].add(module)
    named: dict[str, set[str]] = {}

    def names(module: str, submodule: str) -> bool:
        if words_of is None:
            return True
        if module not in named:
            named[module] = _named_submodules(held_by[module], exported, children,
                                              words_of(module))
        return submodule in named[module]

    return _closure(seeds, imported_by, named_by, names)


def _exported_modules(names_of: dict[str, dict], known: set[str]) -> dict[str, set[str]]:
    """module -> the project modules its names may hold as module objects: those its
    imports bind, and those the modules it imports from hold in turn (re-exports)."""
    exported = {m: {b for b in names.get("binds", ()) if b in known}
                for m, names in names_of.items()}
    changed = True
    while changed:          # a fixpoint: import cycles re-export both ways
        changed = False
        for module, names in names_of.items():
            mine = exported[module]
            for source in names.get("through", ()):
                more = exported.get(source, set()) - mine
                if more:
                    mine |= more
                    changed = True
    return exported


def _named_submodules(held: set[str], exported: dict[str, set[str]],
                      children: dict[str, list[str]], words: set[str]) -> set[str]:
    """The submodules a module may reach as attributes (`pkg.sub`, which astroid finds
    without an import) of the module objects it holds, or holds through them."""
    reached: set[str] = set()
    seen: set[str] = set()
    stack = list(held)
    while stack:
        item = stack.pop()
        if item in seen:
            continue
        seen.add(item)
        stack += exported.get(item, ())          # the module object's own names
        for last in children.get(item, ()):
            if last in words or not last.isascii():     # tokens() sees ASCII words only
                reached.add(f"{item}.{last}")
                stack.append(f"{item}.{last}")
    return reached


ATTRIBUTES = (nodes.Attribute, nodes.AssignAttr, nodes.DelAttr)


def naming_words(tree: nodes.Module | None) -> set[str]:
    """The words by which a module may reach a submodule of a package it holds without
    importing it (rule 2). astroid reaches one only through `Module.getattr(name)` on the
    package, which imports `pkg.name` when the package's own names do not bind `name`; the
    names it is asked for come from the module's attribute nodes (`pkg.sub`, `s.sub` after
    `import pkg as s`, `pkg.sub = x`, `del pkg.sub`) and from string constants (`getattr(pkg,
    "sub")`, `hasattr`, also through a local name: `n = "sub"; getattr(pkg, n)`). A name a
    wildcard import brings is a local bound to the `from pkg import *` statement, which
    astroid infers by `pkg.getattr(name)` too: in a module with one, every bare name
    counts; so does every name a `from w import ...` statement imports. Not seen, as with
    the text's words before: a name put together by an expression (`"s" + "ub"`) or one
    arriving from another module's constant, and a string spelled with escapes.

    The words come from the tree, not the text: comments, docstrings and parameter names
    hold the last names of many test modules (sympy's runtests.py names `core`, `tests` and
    `test_args` so, and it holds the `sympy` package, which sent 1,334 of sympy's 1,517
    modules back after a leaf edit when its tests were loaded). A token scan that tells
    `.word` from a bare word still reads comments and docstrings (on sympy it left 1,333
    modules; one that skipped strings would miss the attributes inside f-strings); the
    tree is exact: 3 modules. It costs a walk of the module (about 1.2 ms on average on
    sympy, 1.9 CPU s for all of it), so `importers` walks only the modules the closure
    reaches through a candidate: one whose text holds the last name of a submodule of a
    package it holds (5 walks on that edit; `to_extract` 0.93 CPU s, 0.91 before)."""
    words: set[str] = set()
    bare: set[str] = set()
    wildcard = False
    stack: list[nodes.NodeNG] = [tree] if tree is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, ATTRIBUTES):
            words.add(node.attrname)
        elif isinstance(node, nodes.Const):
            if isinstance(node.value, str) and node.value.isidentifier():
                words.add(node.value)
        elif isinstance(node, nodes.Name):
            bare.add(node.name)
        elif isinstance(node, nodes.ImportFrom):
            imported = {name for name, _ in node.names}
            wildcard = wildcard or "*" in imported
            words |= imported - {"*"}
        stack.extend(node.get_children())
    return words | bare if wildcard else words


def _closure(seeds: Iterable[str], edges: dict[str, set[str]],
             candidates: dict[str, set[str]], holds: Callable[[str, str], bool]) -> set[str]:
    """What seeds reach over edges, and over the candidate edges (module -> a module that
    may name it) that holds(module that names, module named) confirms."""
    found: set[str] = set()
    stack = list(seeds)
    while stack:
        item = stack.pop()
        for nxt in edges.get(item, ()):
            if nxt not in found:
                found.add(nxt)
                stack.append(nxt)
        for nxt in candidates.get(item, ()):
            if nxt not in found and holds(nxt, item):
                found.add(nxt)
                stack.append(nxt)
    return found
