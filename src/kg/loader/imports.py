"""(stub)"""

from kg.loader.context import ModuleContext


def extract(ctx: ModuleContext) -> None:
    pass
