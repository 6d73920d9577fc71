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
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice

from astroid import context, transforms
from astroid.builder import AstroidBuilder

# one [cache size when the build began, emptying asked for] per module build in progress
_builds: list[list] = []


@contextmanager
def kept() -> Iterator[None]:
    """Within the block, a module build empties only what was inferred during the build."""
    if transforms._invalidate_cache is _invalidate:       # already active (a nested load)
        yield
        return
    invalidate, post_build = transforms._invalidate_cache, AstroidBuilder._post_build
    transforms._invalidate_cache = _invalidate
    AstroidBuilder._post_build = _tracked(post_build)
    try:
        yield
    finally:
        transforms._invalidate_cache, AstroidBuilder._post_build = invalidate, post_build
        _builds.clear()


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
        _builds.append([len(context._INFERENCE_CACHE), False])
        try:
            return post_build(self, module, builder, encoding)
        finally:
            start, asked = _builds.pop()
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
