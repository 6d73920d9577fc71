"""How far the loader goes with one file, so one hostile or pathological file cannot
stall or exhaust a load (docs/bad-input.md).

- max_file_bytes: astroid needs about 300 MB of memory and 4 s per MB of source
  to build a tree, before any inference; a larger file is reported and not read.
- inference_budget: astroid inference steps per module (inference_steps.py), a
  count of work that is the same on any machine. Once a module has taken more,
  `ModuleContext.infer` answers nothing for the rest of that module, so its
  remaining calls resolve by name or stay unresolved, and the module is reported.
  It was CPU seconds before: a value that reads as seconds is refused (`Limits.of`).
- nesting: a tree nested deeper than a fifth of Python's recursion limit is
  reported instead of extracted; astroid and the extraction steps walk trees
  recursively (astroid's `as_string` even retries at each level when the limit
  is hit, which takes exponential time).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

from kg.errors import InputError

DEFAULT_INFERENCE_BUDGET = 1_500_000   # astroid inference steps per module
DEFAULT_MAX_FILE_MB = 5.0
# A budget under this (but 0) is refused: it would cut most modules, and reads as the
# CPU seconds the budget was counted in before.
SMALLEST_INFERENCE_BUDGET = 1_000


@dataclass(frozen=True)
class Limits:
    inference_budget: int | None = DEFAULT_INFERENCE_BUDGET    # None: unbounded
    max_file_bytes: int | None = int(DEFAULT_MAX_FILE_MB * 1_000_000)   # None: any size

    @classmethod
    def of(cls, inference_budget: float | None = DEFAULT_INFERENCE_BUDGET,
           max_file_mb: float | None = DEFAULT_MAX_FILE_MB) -> Limits:
        """The limits a user gave (command line, [tool.kg] or the API); InputError for a
        budget that is not a whole number of steps, 0 or at least SMALLEST_INFERENCE_BUDGET."""
        return cls(inference_budget=_steps(inference_budget),
                   max_file_bytes=None if max_file_mb is None else int(max_file_mb * 1_000_000))


_WHERE = "inference budget (kg load --inference-budget, [tool.kg] inference_budget)"


def _steps(budget: float | None) -> int | None:
    if budget is None:
        return None
    if isinstance(budget, bool) or not isinstance(budget, (int, float)) \
            or not math.isfinite(budget) or budget < 0 \
            or (budget >= SMALLEST_INFERENCE_BUDGET and budget != int(budget)):
        raise InputError(f"{_WHERE}: {budget!r} is not a whole number of inference steps")
    if 0 < budget < SMALLEST_INFERENCE_BUDGET:
        raise InputError(
            f"{_WHERE}: {budget:g} steps would cut nearly every module. The budget counts "
            f"astroid inference steps now, no longer CPU seconds (a CPU second of inference "
            f"is some 20,000 to 50,000 steps): give at least {SMALLEST_INFERENCE_BUDGET:,} "
            f"(the default is {DEFAULT_INFERENCE_BUDGET:,}), or 0 to infer nothing")
    return int(budget)


def max_nesting() -> int:
    """The deepest tree the loader extracts (levels of nodes below the module)."""
    return sys.getrecursionlimit() // 5


def budget_report(facts) -> dict[str, str]:
    """file -> where its inference budget ran out, for each module whose budget did."""
    return {row["file"]: row["budget_exceeded"] for row in facts.nodes["Module"].values()
            if row.get("budget_exceeded")}
