"""The loader keeps astroid's inference cache across the modules astroid builds during a load."""

from __future__ import annotations

import astroid
from astroid import context, nodes, transforms
from astroid.builder import AstroidBuilder

from kg.loader import inference_cache

# a namedtuple call gets an inference tip when its module is built: astroid counts it as a change
WITH_TIP = "import collections\nPoint = collections.namedtuple('Point', 'x y')\n"


def _inferred_entry() -> tuple:
    """Infer something and return its key in astroid's inference cache."""
    module = astroid.parse("value = 1\nvalue\n")
    name = next(module.nodes_of_class(nodes.Name))
    assert [v.value for v in name.infer()] == [1]
    key = next(k for k in context._INFERENCE_CACHE if k[0] is name)
    return key


def test_astroid_alone_empties_the_cache_when_it_builds_a_module_with_a_tip():
    key = _inferred_entry()
    AstroidBuilder(astroid.MANAGER).string_build(WITH_TIP, "kg_test_tip_plain")
    assert key not in context._INFERENCE_CACHE


def test_a_build_keeps_what_was_inferred_before_it():
    with inference_cache.kept():
        key = _inferred_entry()
        AstroidBuilder(astroid.MANAGER).string_build(WITH_TIP, "kg_test_tip_kept")
        assert key in context._INFERENCE_CACHE


def test_a_build_forgets_what_was_inferred_during_it(monkeypatch):
    with inference_cache.kept():
        before = _inferred_entry()
        during: list = []
        kept_invalidate = transforms._invalidate_cache

        def infer_then_invalidate():
            if not during:
                during.append(_inferred_entry())    # as a transform's predicate may infer
            kept_invalidate()

        monkeypatch.setattr(transforms, "_invalidate_cache", infer_then_invalidate)
        AstroidBuilder(astroid.MANAGER).string_build(WITH_TIP, "kg_test_tip_during")
        monkeypatch.undo()
        assert before in context._INFERENCE_CACHE
        assert during and during[0] not in context._INFERENCE_CACHE


def test_outside_a_build_and_after_the_block_astroid_empties_as_before():
    original = transforms._invalidate_cache
    with inference_cache.kept():
        key = _inferred_entry()
        transforms._invalidate_cache()
        assert key not in context._INFERENCE_CACHE
        inference_cache.forget()
    assert transforms._invalidate_cache is original
    key = _inferred_entry()
    AstroidBuilder(astroid.MANAGER).string_build(WITH_TIP, "kg_test_tip_after")
    assert key not in context._INFERENCE_CACHE
