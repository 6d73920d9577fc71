"""The audit report: one document (document.py) rendered as Markdown, JSON, SARIF or HTML."""

from __future__ import annotations

from kg.report import html, json_format, markdown, sarif
from kg.report.document import build

RENDERERS = {"md": markdown.render, "json": json_format.render, "sarif": sarif.render,
             "html": html.render}
FORMATS = tuple(RENDERERS)


def render(doc: dict, fmt: str) -> str:
    return RENDERERS[fmt](doc)


__all__ = ["FORMATS", "build", "render"]
