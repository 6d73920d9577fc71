"""Class kinds and fields (HAS_FIELD), and the field writes and reads (SETS/READS)."""

from __future__ import annotations

from astroid import nodes

from kg.loader.context import ModuleContext


def class_kind(ctx: ModuleContext, node: nodes.ClassDef) -> str:
    return "plain"


def is_abstract(ctx: ModuleContext, node: nodes.ClassDef) -> bool:
    return False


def extract(ctx: ModuleContext) -> None:
    """Fields of every class in the module, and every field write and read in it."""
