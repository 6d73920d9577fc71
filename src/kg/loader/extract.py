"""The loader's pipeline: discover, parse, register definitions, run each extraction step."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.loader import (
    calls,
    classes,
    clones,
    entrypoints,
    imports,
    inference_cache,
    parse,
    reach,
    spawns,
    structure,
)
from kg.loader.context import ModuleContext, Project
from kg.loader.discover import discover
from kg.model.facts import Facts

# Each step sees one module at a time; all definitions of the project are registered first.
STEPS = (structure.extract, classes.extract, calls.extract, imports.extract,
         entrypoints.extract, spawns.extract)


@dataclass
class Extraction:
    facts: Facts
    files: int
    parse_errors: dict[str, str]            # relative file -> message
    file_hashes: dict[str, str]             # relative file -> sha256
    step_errors: dict[str, str] = field(default_factory=dict)   # file -> first internal error
    seconds: float = 0.0


Progress = Callable[[str, int, int], None]   # (phase, done, total)


def extract(root: Path, repo: str, exclude: tuple[str, ...] = (),
            progress: Progress | None = None, strict: bool = False) -> Extraction:
    """The facts of the source tree at root. Raises InputError when it holds no Python."""
    with inference_cache.kept():
        return _extract(root, repo, exclude, progress, strict)


def _extract(root: Path, repo: str, exclude: tuple[str, ...],
             progress: Progress | None, strict: bool) -> Extraction:
    started = time.perf_counter()
    root = Path(root)
    files = discover(root, exclude)
    if not files:
        raise InputError(f"{root}: no Python files found")
    parsed = parse.parse(files)
    try:
        project = Project(repo=repo, modules={p.source.module: p for p in parsed})
        contexts = []
        for p in project.trees():
            ctx = ModuleContext(project, p)
            structure.register_definitions(ctx)
            contexts.append(ctx)
        for p in parsed:
            if p.tree is None:
                structure.add_unparsed_module(project, p)
        step_errors: dict[str, str] = {}
        total = len(contexts)
        for done, ctx in enumerate(contexts, 1):
            inference_cache.forget()
            for step in STEPS:
                try:
                    step(ctx)
                except Exception as e:  # a loader bug must not lose the rest of the load
                    if strict:
                        raise
                    step_errors.setdefault(
                        ctx.file, f"{step.__module__}: {type(e).__name__}: {e}"[:500])
            if progress:
                progress("extract", done, total)
        calls.extract_project(project)
        entrypoints.extract_project(project, root)
        clones.extract_project(project)
        reach.extract_project(project.facts)
        project.facts.drop_dangling_edges()
    finally:
        parse.forget(parsed)
    return Extraction(
        facts=project.facts, files=len(files),
        parse_errors={p.source.rel: p.error for p in parsed if p.error},
        file_hashes={p.source.rel: p.sha256 for p in parsed},
        step_errors=step_errors, seconds=time.perf_counter() - started)
