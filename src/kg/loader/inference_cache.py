"""Keeping astroid's inference cache across the modules it builds while kg infers.

astroid empties its whole inference cache whenever a transform changes a node,
and attaching an inference tip counts as a change. Inference builds stdlib and
third-party modules lazily, each build attaches tips (to `namedtuple(...)`,
`TypeVar(...)`, ... calls), so every new module reached wipes everything
inferred so far, and a hard inference (a failure astroid reaches only at its
recursion limit, seconds each) is paid again at each later use: on docutils,
most of the load went to repeating a few such inferences.

A module being built did not exist before its build, so only what was
inferred during the build can depend on its nodes as they were before a
transform changed them. While `kept()` is active, a transform that asks for
the cache to be emptied during a module build drops only the entries added
since that build began (nested builds pass the request to the enclosing one);
outside a build it still empties the whole cache. The loader empties it itself before
each module it extracts (`forget`), which keeps what kg finds what it was with astroid's
own emptying.

A module build also records each `obj.attr = value` of the module on what `obj` infers to
(astroid's `delayed_assattr`), even when that is another module's class or module: building
`unittest.result` adds its `sys.stdout = ...` to the `sys` module, so after it `sys.stdout`
infers to a StringIO as well. Which stdlib modules inference has built depends on which
modules were extracted before, and in which process (parallel.py), so kg's graph did. While
`kept()` is active, a module built while the target is extracted records such assignments
only on its own nodes. The target's own modules, built once in a fixed order before any
extraction (`project_builds`), keep recording on each other and on the stdlib (the target
may well redirect `sys.stdout`); what they recorded outside the target is taken back when
the block ends, so the next load in the process does not see it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice

import astroid
from astroid import bases, context, nodes, objects, transforms
from astroid.builder import AstroidBuilder
from astroid.exceptions import AstroidError
from astroid.interpreter import objectmodel

from kg.loader import assigned_properties, transform_walk

# one [cache size when the build began, emptying asked for] per module build in progress
_builds: list[list] = []
# the target's own modules are being built (parse.py); their assignments outside them
_project: list[bool] = [False]
# the next build to begin is one of the target's modules, built by kg's parse (`target_build`)
_target_next: list[bool] = [False]
_recorded: list[tuple[dict, str, nodes.AssignAttr]] = []


@contextmanager
def kept() -> Iterator[None]:
    """Within the block, a module build empties only what was inferred during the build."""
    if transforms._invalidate_cache is _invalidate:       # already active (a nested load)
        yield
        return
    invalidate, post_build = transforms._invalidate_cache, AstroidBuilder._post_build
    assattr = AstroidBuilder.delayed_assattr
    transforms._invalidate_cache = _invalidate
    AstroidBuilder._post_build = _tracked(post_build)
    AstroidBuilder.delayed_assattr = _confined(assattr)
    try:
        with transform_walk.walked():       # every build's transform pass, kg's walk
            yield
    finally:
        transforms._invalidate_cache, AstroidBuilder._post_build = invalidate, post_build
        AstroidBuilder.delayed_assattr = assattr
        _builds.clear()
        while _recorded:
            _take_back(*_recorded.pop())


@contextmanager
def project_builds() -> Iterator[None]:
    """The target's modules are built within the block (see above)."""
    _project[0] = True
    try:
        yield
    finally:
        _project[0] = False


@contextmanager
def target_build() -> Iterator[None]:
    """The build run within the block is one of the target's modules. Such a build may run
    nested in another (parse.py parses a module of the target when building another asks for
    it); a module that building the target's imports from elsewhere is not one."""
    _target_next[0] = True
    try:
        yield
    finally:
        _target_next[0] = False


def forget() -> None:
    """Empty the inference cache, so that what a module infers does not depend on what was
    inferred before it: astroid caches a result its recursion guard cut short as if it were
    complete, and keeping such a result across modules changes what later modules find."""
    context._invalidate_cache()


def _invalidate() -> None:
    if _builds:
        _builds[-1][1] = True
    else:
        context._invalidate_cache()


def _tracked(post_build):
    def _post_build(self, module, builder, encoding):
        _builds.append([len(context._INFERENCE_CACHE), False, _target_next[0]])
        _target_next[0] = False
        try:
            return post_build(self, module, builder, encoding)
        finally:
            start, asked, _ = _builds.pop()
            if asked:
                _forget_since(start)
                if _builds:
                    _builds[-1][1] = True
    return _post_build


def _forget_since(start: int) -> None:
    """Drop the entries added after the first `start` (a dict keeps insertion order)."""
    cache = context._INFERENCE_CACHE
    for key in list(islice(cache, min(start, len(cache)), None)):
        del cache[key]


def _confined(delayed_assattr):
    def _delayed_assattr(self, node: nodes.AssignAttr) -> None:
        delayed_assattr(self, node)
        for attrs in _through_property(node):
            _take_back(attrs, node.attrname, node)
        own = _project[0] and bool(_builds) and _builds[-1][2]     # a module of the target
        for attrs in _recorded_outside(node):
            if own:
                _recorded.append((attrs, node.attrname, node))
            else:
                _take_back(attrs, node.attrname, node)
    return _delayed_assattr


# decorators that make a data descriptor: assigning the attribute on an instance calls it
_PROPERTY_DECORATORS = frozenset({"property", "setter", "getter", "deleter"})


def _through_property(node: nodes.AssignAttr) -> list[dict]:
    """The instance attribute tables `delayed_assattr` added node to although the instance's
    class defines the attribute as a property: `console.file = f` runs the property's setter
    and leaves no attribute on the instance, yet astroid records one, and from then on
    `console.file` infers to f alone instead of to what the getter returns."""
    found = []
    try:
        values = list(node.expr.infer())
    except (AstroidError, RecursionError, AttributeError, TypeError, ValueError):
        return found
    for value in values:
        if type(value) not in (bases.Instance, objects.ExceptionInstance):
            continue
        cls = value._proxied
        if isinstance(cls, nodes.ClassDef) and _is_property_of(cls, node.attrname) \
                and any(v is node for v in cls.instance_attrs.get(node.attrname, ())):
            found.append(cls.instance_attrs)
    return found


def _is_property_of(cls: nodes.ClassDef, name: str) -> bool:
    """Whether the first class of cls's ancestry that defines name defines it as a property:
    decorated, or made by assignment (`x = property(getx, setx)`, assigned_properties; not a
    cached_property, which fills the instance's attribute)."""
    try:
        ancestry = [cls, *cls.ancestors()]
    except (AstroidError, RecursionError):
        return False
    for klass in ancestry:
        defined = klass.locals.get(name)
        if defined:
            made = assigned_properties.made_in_body(klass, name)
            if made is not None:
                return made.data
            return any(isinstance(d, nodes.FunctionDef) and d.decorators is not None
                       and any(assigned_properties.last_name(x) in _PROPERTY_DECORATORS
                               for x in d.decorators.nodes)
                       for d in defined)
    return False


def _recorded_outside(node: nodes.AssignAttr) -> list[dict]:
    """The attribute tables outside node's module that `delayed_assattr` added node to: of
    what `node.expr` infers to (cached by the inference it just made)."""
    module = node.root()
    found = []
    try:
        values = list(node.expr.infer())
    except (AstroidError, RecursionError, AttributeError, TypeError, ValueError):
        return found      # rare (the build just inferred it, cached): astroid's records stay
    for value in values:
        if type(value) in (bases.Instance, objects.ExceptionInstance):
            value = value._proxied
        if not isinstance(value, nodes.NodeNG) or value.root() is module:
            continue
        for attrs in (getattr(value, "instance_attrs", None), getattr(value, "locals", None)):
            if isinstance(attrs, dict) and any(v is node for v in attrs.get(node.attrname, ())):
                found.append(attrs)
    return found


def _take_back(attrs: dict, name: str, node: nodes.AssignAttr) -> None:
    values = attrs.get(name)
    if values is None:
        return
    values[:] = [v for v in values if v is not node]
    if not values:
        del attrs[name]


def release() -> None:
    """Let go of what astroid still holds of the target once its trees are out of the cache
    (parse.forget), so a collection frees them: without this a process keeps every load's
    trees for good. A failed module lookup astroid caches holds its exception, whose context
    holds the traceback of the inference that first asked, and its frames the whole stack,
    down to the load's project; an attribute model (`special_attributes`) keeps the last
    node it described. The lookup fails again, alike, when next asked; a model is given its
    node each time it is used."""
    cache = astroid.MANAGER._mod_file_cache
    for key in [k for k, found in cache.items() if isinstance(found, BaseException)]:
        del cache[key]
    for module in (nodes, bases, objects, objectmodel):
        for cls in vars(module).values():
            if not isinstance(cls, type):
                continue
            for value in vars(cls).values():
                if isinstance(value, objectmodel.ObjectModel):
                    value._instance = None
