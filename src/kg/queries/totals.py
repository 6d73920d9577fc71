"""What a path costs to read: its modules, functions and lines.

Lines are the `loc` (physical lines) of the functions on the path. A nested
function's lines are already in its container's, so it counts as a function
but adds lines only when its container is not on the path. Modules are the
distinct modules of those functions: module-level code, classes constructed
and stdlib calls add nothing. `kg diagram path` prints these totals and the
audit report's entry-point footprints are counted by the same functions.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Totals:
    modules: int
    functions: int
    lines: int

    def text(self) -> str:
        return f"modules {self.modules}, functions {self.functions}, lines {self.lines}"


@dataclass(frozen=True)
class ModuleCost:
    module: str
    functions: list[str]            # qualified names, sorted
    lines: int


def by_module(nodes: set[str], functions: dict[str, dict],
              nested_in: dict[str, str]) -> list[ModuleCost]:
    """Per module (by name) the functions on the path and the lines they add."""
    names: dict[str, list[str]] = {}
    lines: dict[str, int] = {}
    for f in sorted(nodes & functions.keys()):
        module = functions[f]["module"]
        names.setdefault(module, []).append(functions[f]["name"])
        lines[module] = lines.get(module, 0) + (
            functions[f]["loc"] if nested_in.get(f) not in nodes else 0)
    return [ModuleCost(module, sorted(names[module]), lines[module]) for module in sorted(names)]


def count(nodes: set[str], functions: dict[str, dict], nested_in: dict[str, str]) -> Totals:
    modules = by_module(nodes, functions, nested_in)
    return Totals(modules=len(modules), functions=sum(len(m.functions) for m in modules),
                  lines=sum(m.lines for m in modules))
