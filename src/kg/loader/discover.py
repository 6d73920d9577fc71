"""Which files of a source tree are Python modules, and what each is called.

A module's dotted name is its path below the import root: the loaded folder,
its parent when the folder is itself a package, or `src/` in a src layout.
Folders without `__init__.py` are treated as namespace packages, so every
file gets a name without ever consulting sys.path.

A folder below the loaded one that holds a pyproject.toml, setup.cfg or setup.py
and is not a package is a project of its own (a monorepo's `packages/core`): its
files are named from its own import root (its `src/`, or itself), as its code
imports them (`core.pricing`, not `packages.core.src.core.pricing`), so imports
from one project of the tree into another resolve. A top-level name that two
projects use (every project's `tests`), or that the standard library has, keeps
in the sub-projects the path from the loaded folder instead.

Symbolic links to folders are never followed (they could leave the tree or
loop). A symbolic link to a file is read when its target is a file inside the
loaded folder; one pointing outside, into a loop or nowhere is still listed,
with the problem that keeps it from being read (reported like a parse error).

A folder that cannot be listed (no permission, a path longer than the system
allows) is listed the same way, as the package its name gives, with the problem
(`cannot list the folder: Permission denied; ...`): the modules in it are not
loaded, and the report says so instead of the walk passing over them in silence.
"""

from __future__ import annotations

import errno
import os
import sys
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from kg.errors import InputError

SKIP_DIRS = {
    ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "env", ".env", "__pycache__",
    "node_modules", "build", "dist", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    "site-packages", ".eggs", ".kg",
}
PROJECT_FILES = ("pyproject.toml", "setup.cfg", "setup.py")


@dataclass(frozen=True)
class SourceFile:
    path: Path          # absolute
    rel: str            # relative to the loaded path, with forward slashes
    module: str         # dotted module name
    is_package: bool    # an __init__.py
    is_test: bool
    problem: str | None = None   # why the file is not read (a symbolic link out of the tree,
    #                              a folder that cannot be listed)
    project: str = ""   # the sub-project's folder relative to the loaded path; "" for the top
    local: str = ""     # the module's name within its sub-project (module, unless it clashed)


def discover(root: Path, exclude: tuple[str, ...] = ()) -> list[SourceFile]:
    """All Python source files below root, sorted by relative path."""
    root = root.resolve()
    if root.is_file():
        if root.suffix != ".py":
            raise InputError(f"{root}: not a Python file or folder")
        return [_source_file(root, root.parent, root.parent)]
    if not root.is_dir():
        raise InputError(f"{root}: no such file or folder")
    try:
        with os.scandir(root):
            pass
        import_root = root.parent if (root / "__init__.py").is_file() else root
    except OSError as e:
        raise InputError(f"{root}: cannot list the folder: {_reason(e)}") from None
    files = []
    unlisted: list[OSError] = []
    projects = _Projects(root) if import_root == root else None
    for path in _walk(root, exclude, unlisted.append):
        problem = _symlink_problem(path, root) if path.is_symlink() else None
        files.append(_named(path, root, import_root, projects, problem))
    for error in unlisted:
        folder = Path(error.filename)
        if folder == root:
            raise InputError(f"{root}: cannot list the folder: {_reason(error)}")
        if not _excluded(folder, root, exclude):
            files.append(_unlisted_folder(folder, root, _import_base(folder, root, import_root),
                                          error))
    files.sort(key=lambda f: f.rel)
    return _unique_names(_unclashed(files, root, import_root))


class _Projects:
    """The sub-projects of a loaded folder: each folder below it that holds a project file
    and is not a package (a package's folder is never a project's top)."""

    def __init__(self, root: Path):
        self.root = root
        self._known: dict[Path, Path | None] = {}

    def of(self, path: Path) -> Path | None:
        """The innermost sub-project holding path, None when only the loaded folder does."""
        folder = path.parent
        if folder == self.root or self.root not in folder.parents:
            return None
        if folder not in self._known:
            own = (not (folder / "__init__.py").is_file()
                   and any((folder / name).is_file() for name in PROJECT_FILES))
            self._known[folder] = folder if own else self.of(folder)
        return self._known[folder]


def _named(path: Path, root: Path, import_root: Path, projects: _Projects | None,
           problem: str | None) -> SourceFile:
    project = projects.of(path) if projects is not None else None
    if project is None:
        return _source_file(path, root, _import_base(path, root, import_root), problem)
    src = project / "src"
    base = src if src.is_dir() and src in path.parents else project
    named = _source_file(path, root, base, problem)
    return replace(named, project=project.relative_to(root).as_posix(), local=named.module)


def _unclashed(files: list[SourceFile], root: Path, import_root: Path) -> list[SourceFile]:
    """A sub-project's modules under a top-level name that another project also uses (every
    project's `tests`, `setup`), or that is a standard library module's (it would shadow
    that module for the whole load), are named by their path from the loaded folder
    instead; all of them, so their relative imports still meet."""
    projects_of: dict[str, set[str]] = defaultdict(set)
    for f in files:
        projects_of[_top(f.module)].add(f.project)
    out = []
    for f in files:
        top = _top(f.module)
        if f.project and (len(projects_of[top]) > 1 or top in sys.stdlib_module_names):
            by_path = _source_file(f.path, root, _import_base(f.path, root, import_root),
                                   f.problem)
            f = replace(f, module=by_path.module)
        out.append(f)
    return out


def _top(module: str) -> str:
    return module.partition(".")[0]


def _walk(root: Path, exclude: tuple[str, ...], onerror):
    """The .py files below root; onerror gets the OSError of each folder it cannot list."""
    seen_dirs = set()
    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=False):
        real = os.path.realpath(dirpath)
        if real in seen_dirs:
            dirnames[:] = []
            continue
        seen_dirs.add(real)
        dirnames[:] = sorted(d for d in dirnames
                             if d not in SKIP_DIRS and not d.startswith(".")
                             and not d.endswith(".egg-info"))
        for name in sorted(filenames):
            if not name.endswith(".py"):
                continue
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if any(_matches(rel, pattern) for pattern in exclude):
                continue
            yield path


def _excluded(folder: Path, root: Path, exclude: tuple[str, ...]) -> bool:
    """A folder is excluded when a pattern excludes whatever it may hold."""
    rel = folder.relative_to(root).as_posix()
    return any(_matches(rel, p) or _matches(rel + "/", p) for p in exclude)


def _matches(rel: str, pattern: str) -> bool:
    from fnmatch import fnmatch
    return fnmatch(rel, pattern) or rel.startswith(pattern.rstrip("/") + "/")


def _symlink_problem(path: Path, root: Path) -> str | None:
    """Why a symbolic link is not followed; None when it names a file inside the tree."""
    try:
        target = path.resolve(strict=True)
    except RuntimeError:        # Python < 3.13 reports a loop this way
        return "symbolic link loop; not followed"
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "symbolic link loop; not followed"
        return f"broken symbolic link ({e.strerror or e}); not followed"
    try:
        target.relative_to(root)
    except ValueError:
        return "symbolic link to a file outside the loaded folder; not followed"
    return None


def _import_base(path: Path, root: Path, import_root: Path) -> Path:
    src = root / "src"
    if import_root == root and src.is_dir() and src in path.parents:
        return src
    return import_root


def _source_file(path: Path, root: Path, base: Path, problem: str | None = None) -> SourceFile:
    rel = path.relative_to(root).as_posix()
    parts = list(path.relative_to(base).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1] or [base.name]
    module = ".".join(parts)
    return SourceFile(path=path, rel=rel, module=module, is_package=is_package,
                      is_test=_is_test(rel), problem=problem)


def _unlisted_folder(folder: Path, root: Path, base: Path, error: OSError) -> SourceFile:
    """A folder the walk could not list, as the package its path names (rel ends with `/`)."""
    rel = folder.relative_to(root).as_posix() + "/"
    module = ".".join(folder.relative_to(base).parts) or base.name
    return SourceFile(path=folder, rel=rel, module=module, is_package=True,
                      is_test=_is_test(rel),
                      problem=f"cannot list the folder: {_reason(error)}; "
                              f"the modules in it are not loaded")


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def _is_test(rel: str) -> bool:
    parts = rel.split("/")
    name = parts[-1]
    return (any(p in ("tests", "test", "testing") for p in parts[:-1])
            or name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py")


def _unique_names(files: list[SourceFile]) -> list[SourceFile]:
    """Two files with one module name (a.py beside a/__init__.py): the package wins, as in Python."""
    by_name: dict[str, SourceFile] = {}
    for f in files:
        kept = by_name.get(f.module)
        if kept is None or (f.is_package and not kept.is_package):
            by_name[f.module] = f
    return sorted(by_name.values(), key=lambda f: f.rel)
