"""(stub)"""

from kg.loader.context import ModuleContext


def extract(ctx: ModuleContext) -> None:
    pass


def call_stats(facts) -> dict:
    return {"calls_total": 0, "calls_inferred": 0, "calls_by_name": 0, "calls_unresolved": 0,
            "local_calls": 0, "local_calls_inferred": 0}
