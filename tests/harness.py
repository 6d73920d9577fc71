"""Loader harness: source snippets or a fixture package in, the graph's facts out.

Tests assert node sets and edge triples by readable names (qualified names,
module names, external names), never by kg's internal ids.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from kg.loader import Extraction, extract
from kg.model.facts import Facts

FIXTURES = Path(__file__).parent / "fixtures"


def write_package(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


class Graph:
    def __init__(self, extraction: Extraction):
        self.extraction = extraction
        self.facts: Facts = extraction.facts

    def rows(self, label: str) -> list[dict]:
        return sorted(self.facts.nodes[label].values(), key=lambda r: r["id"])

    def names(self, label: str) -> set[str]:
        return {self.name_of(label, r["id"]) for r in self.rows(label)}

    def node(self, label: str, name: str) -> dict:
        found = [r for r in self.rows(label) if self.name_of(label, r["id"]) == name]
        assert found, f"no {label} named {name}; have {sorted(self.names(label))}"
        assert len(found) == 1, f"{len(found)} {label} nodes named {name}"
        return found[0]

    def name_of(self, label: str, id: str) -> str:
        row = self.facts.nodes[label].get(id)
        if row is None:
            return id
        for key in ("qualname", "name", "callee_text", "target_text"):
            if row.get(key):
                if label in ("CallSite", "Assignment"):
                    return f"{row[key]}@{row['line']}"
                return row[key]
        return id

    def edges(self, type: str) -> set[tuple[str, str]]:
        return {(self.name_of(e.src_label, e.src), self.name_of(e.dst_label, e.dst))
                for e in self.facts.edges if e.type == type}

    def edge_props(self, type: str, src: str, dst: str) -> list[dict]:
        return [dict(e.props) for e in self.facts.edges if e.type == type
                and self.name_of(e.src_label, e.src) == src
                and self.name_of(e.dst_label, e.dst) == dst]


def load(path: Path, repo: str = "t") -> Graph:
    return Graph(extract(Path(path), repo, strict=True))


def load_code(tmp_path: Path, files: dict[str, str] | str, repo: str = "t") -> Graph:
    """Write files (or one module `pkg/mod.py` from a string) under tmp_path and load them."""
    if isinstance(files, str):
        files = {"pkg/__init__.py": "", "pkg/mod.py": files}
    return load(write_package(tmp_path / "src", files), repo)
