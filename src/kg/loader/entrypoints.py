"""(stub)"""

from pathlib import Path

from kg.loader.context import ModuleContext, Project


def extract(ctx: ModuleContext) -> None:
    pass


def extract_project(project: Project, root: Path) -> None:
    pass
