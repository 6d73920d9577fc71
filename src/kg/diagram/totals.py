"""What a path costs to read: its modules, functions and lines.

Lines are the `loc` (physical lines) of the functions on the path. A nested
function's lines are already in its container's, so it counts as a function
but adds lines only when its container is not on the path. Modules are the
distinct modules of those functions: module-level code, classes constructed
and stdlib calls add nothing.
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


def count(nodes: set[str], functions: dict[str, dict], nested_in: dict[str, str]) -> Totals:
    on_path = [f for f in sorted(nodes) if f in functions]
    lines = sum(functions[f]["loc"] for f in on_path if nested_in.get(f) not in nodes)
    modules = {functions[f]["module"] for f in on_path}
    return Totals(modules=len(modules), functions=len(on_path), lines=lines)
