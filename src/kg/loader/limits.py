"""How far the loader goes with one file, so one hostile or pathological file cannot
stall or exhaust a load (docs/bad-input.md).

- max_file_bytes: astroid needs about 300 MB of memory and 4 s per MB of source
  to build a tree, before any inference; a larger file is reported and not read.
- inference_budget: CPU seconds of inference per module. Once a module has
  spent it, `ModuleContext.infer` answers nothing for the rest of that module,
  so its remaining calls resolve by name or stay unresolved, and the module is
  reported.
- nesting: a tree nested deeper than a fifth of Python's recursion limit is
  reported instead of extracted; astroid and the extraction steps walk trees
  recursively (astroid's `as_string` even retries at each level when the limit
  is hit, which takes exponential time).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

DEFAULT_INFERENCE_BUDGET = 30.0        # CPU seconds per module
DEFAULT_MAX_FILE_MB = 5.0


@dataclass(frozen=True)
class Limits:
    inference_budget: float | None = DEFAULT_INFERENCE_BUDGET    # None: unbounded
    max_file_bytes: int | None = int(DEFAULT_MAX_FILE_MB * 1_000_000)   # None: any size

    @classmethod
    def of(cls, inference_budget: float | None = DEFAULT_INFERENCE_BUDGET,
           max_file_mb: float | None = DEFAULT_MAX_FILE_MB) -> Limits:
        return cls(inference_budget=inference_budget,
                   max_file_bytes=None if max_file_mb is None else int(max_file_mb * 1_000_000))


def max_nesting() -> int:
    """The deepest tree the loader extracts (levels of nodes below the module)."""
    return sys.getrecursionlimit() // 5


def budget_report(facts) -> dict[str, str]:
    """file -> where its inference budget ran out, for each module whose budget did."""
    return {row["file"]: row["budget_exceeded"] for row in facts.nodes["Module"].values()
            if row.get("budget_exceeded")}
