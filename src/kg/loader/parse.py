"""Parsing source files into astroid trees without importing anything.

Every module of the target is parsed from its text and put in astroid's
module cache under its own dotted name before the extraction infers anything.
astroid then resolves the target's imports from that cache and never searches
sys.path for them, so nothing of the target is found by the import system,
let alone executed. Extension modules are never loaded. A build itself infers a
little (`obj.attr = value`); a module of the target it asks for is parsed there
and then (`_on_demand`), so each module has the one tree kg registers.

A file is opened without blocking and read only when it is a regular file
within the size limit (a FIFO named `x.py` would block a plain read forever);
what cannot be read, decoded or parsed becomes the module's error, with its
line where there is one, and the load goes on (docs/bad-input.md).
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import sys
import tokenize
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import astroid
from astroid.builder import AstroidBuilder
from astroid.context import _invalidate_cache
from astroid.inference_tip import clear_inference_tip_cache
from astroid.interpreter.objectmodel import ObjectModel
from astroid.manager import AstroidManager
from astroid.nodes import ClassDef
from astroid.nodes._base_nodes import LookupMixIn

from kg.loader import inference_cache, target_imports, transform_walk
from kg.loader.discover import SourceFile
from kg.loader.limits import Limits, max_nesting


@dataclass
class ParsedModule:
    source: SourceFile
    text: str | None            # None when the file could not be read or decoded
    tree: astroid.Module | None
    error: str | None           # why text or tree is missing ("line 3: invalid syntax")
    sha256: str


def safe_manager() -> AstroidManager:
    manager = astroid.MANAGER
    manager.always_load_extensions = False
    manager.extension_package_whitelist = set()
    manager.prefer_stubs = False
    return manager


def parse(files: list[SourceFile], limits: Limits | None = None) -> list[ParsedModule]:
    manager = safe_manager()
    _forget_all_if_search_path_changed(manager)
    _build_sys_with_standard_streams(manager)
    limits = limits or Limits()
    done: dict[str, ParsedModule] = {}
    with inference_cache.project_builds(), transform_walk.walked(), \
            _on_demand(manager, files, limits, done), \
            target_imports.resolved({f.module for f in files}):
        for f in files:
            if f.module not in done:
                done[f.module] = parse_one(manager, f, limits)
    parsed = [done[f.module] for f in files]
    for p in parsed:
        if p.tree is not None:
            manager.astroid_cache[p.source.module] = p.tree
    return parsed


class _OnDemand(dict):
    """astroid's module cache while the target is parsed.

    Building a module infers a little (each `obj.attr = value` is recorded on what obj infers
    to; some transforms infer), and that may import a module of the target kg has not parsed
    yet. astroid would then find the file itself and build a tree of its own, which kg's
    parse replaces later: the module parsed twice (85 of sympy's 845), and what the build
    recorded on the first tree (another module's `obj.attr = value`) lost with it. Asked for
    such a module, this cache has kg parse it there and then, so every module of the target
    has one tree, the one kg registers."""

    def __init__(self, cached: dict, parse: Callable[[str], bool]):
        super().__init__(cached)
        self._parse = parse

    def __contains__(self, name) -> bool:
        return dict.__contains__(self, name) or self._parse(name)

    def __missing__(self, name):
        if self._parse(name):
            return dict.__getitem__(self, name)
        raise KeyError(name)

    def get(self, name, default=None):
        return self[name] if name in self else default  # noqa: SIM401 (self.get is this)


# On-demand builds nest within the build that asked; past this depth the module waits for its
# turn instead (astroid builds it itself meanwhile, as before), so the stack stays shallow.
MAX_NESTED_PARSES = 8


@contextmanager
def _on_demand(manager: AstroidManager, files: list[SourceFile], limits: Limits,
               done: dict[str, ParsedModule]) -> Iterator[None]:
    waiting = {f.module: f for f in files}
    depth = [0]

    def parse_now(name: str) -> bool:
        source = waiting.get(name)
        if source is None or name in done or depth[0] >= MAX_NESTED_PARSES:
            return False
        depth[0] += 1
        try:
            parsed = parse_one(manager, source, limits)
        finally:
            depth[0] -= 1
        if parsed.tree is None and "RecursionError" in (parsed.error or ""):
            return False        # the stack of the build that asked: parsed again in its turn
        done[name] = parsed
        if parsed.tree is None:
            return False
        dict.__setitem__(cache, name, parsed.tree)
        return True

    plain = manager.astroid_cache
    cache = _OnDemand(plain, parse_now)
    AstroidManager.brain["astroid_cache"] = manager.astroid_cache = cache
    try:
        yield
    finally:
        plain.clear()
        plain.update(cache)
        AstroidManager.brain["astroid_cache"] = manager.astroid_cache = plain


def forget(parsed: list[ParsedModule]) -> None:
    """Drop the target's trees and every inference result from astroid's caches so a later
    load starts clean. The stdlib and third-party trees stay: they do not depend on the
    target, and re-parsing them (and re-bootstrapping builtins, as `clear_cache` does) costs
    about a second per load, which dominates loading many small trees in one process."""
    manager = astroid.MANAGER
    for p in parsed:
        if p.tree is not None and manager.astroid_cache.get(p.source.module) is p.tree:
            del manager.astroid_cache[p.source.module]
    clear_inference_tip_cache()
    _invalidate_cache()
    for lru_cache in (LookupMixIn.lookup, ObjectModel.attributes,
                      ClassDef._metaclass_lookup_attribute):
        lru_cache.cache_clear()


_search_path: list[tuple[str, ...]] = []     # sys.path when the cached trees were found


def _forget_all_if_search_path_changed(manager: AstroidManager) -> None:
    """The stdlib and third-party trees `forget` keeps were found through sys.path: when it
    has changed since, they may not be what an import finds now."""
    now = tuple(sys.path)
    if _search_path and _search_path[0] != now:
        manager.clear_cache()
    _search_path[:] = [now]


_sys_built: list[astroid.Module] = []     # the tree of `sys` kg had astroid build


def _build_sys_with_standard_streams(manager: AstroidManager) -> None:
    """`sys` is built into the interpreter, so astroid builds its tree from the live module:
    `sys.stdout` is whatever object the process has there when the tree is built (pytest's
    capture, a Jupyter kernel's stream), and `sys.stdout.write(...)` in the target infers to
    that object's class. kg has the tree built while the streams are plain text files, the
    view of a plain `kg load`, and builds it again when the tree in the cache is not the one
    kg had built (something else in the process built it first)."""
    if _sys_built and manager.astroid_cache.get("sys") is _sys_built[0]:
        return
    manager.astroid_cache.pop("sys", None)
    with _standard_streams():
        tree = manager.ast_from_module_name("sys")
    _invalidate_cache()
    _sys_built[:] = [tree]


_STREAMS = ("stdin", "stdout", "stderr")
_HOOKS = ("displayhook", "excepthook", "breakpointhook", "unraisablehook")


@contextmanager
def _standard_streams() -> Iterator[None]:
    """Within the block `sys` has text files for its streams (new ones, so even a process
    started with a stream closed looks the same) and its original hooks."""
    saved = {name: getattr(sys, name) for name in _STREAMS + _HOOKS if hasattr(sys, name)}
    saved.update({f"__{name}__": getattr(sys, f"__{name}__") for name in _STREAMS})
    placeholder = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    try:
        for name in _STREAMS:
            setattr(sys, name, placeholder)
            setattr(sys, f"__{name}__", placeholder)
        for name in _HOOKS:
            original = getattr(sys, f"__{name}__", None)
            if original is not None:
                setattr(sys, name, original)
        yield
    finally:
        for name, value in saved.items():
            setattr(sys, name, value)


def parse_one(manager: AstroidManager, f: SourceFile,
              limits: Limits | None = None) -> ParsedModule:
    if f.problem:
        return ParsedModule(f, None, None, f.problem, "")
    limits = limits or Limits()
    try:
        data = _read(f, limits.max_file_bytes)
    except _Unreadable as e:
        return ParsedModule(f, None, None, str(e), "")
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = _decode(data)
    except _Unreadable as e:
        return ParsedModule(f, None, None, str(e), digest)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return ParsedModule(f, text, None, f"line {line}: source contains NUL bytes", digest)
    try:
        with warnings.catch_warnings():   # astroid warns per node it cannot transform
            warnings.simplefilter("ignore")
            with inference_cache.target_build():
                tree = AstroidBuilder(manager).string_build(text, f.module, str(f.path))
    except astroid.AstroidSyntaxError as e:
        return ParsedModule(f, text, None, _syntax_message(e), digest)
    except (RecursionError, MemoryError, ValueError) as e:
        return ParsedModule(f, text, None, f"cannot parse: {type(e).__name__}: {e}"[:500], digest)
    too_deep = _too_deep(tree)
    if too_deep:
        return ParsedModule(f, text, None, too_deep, digest)
    return ParsedModule(f, text, tree, None, digest)


class _Unreadable(Exception):
    """Why a file's text could not be had (the message reported for it)."""


def _read(f: SourceFile, max_bytes: int | None) -> bytes:
    """The file's bytes; never blocks on a FIFO or device, never reads past the limit."""
    try:
        fd = os.open(f.path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise _Unreadable(f"cannot read: {e.strerror or e}") from None
    with os.fdopen(fd, "rb") as file:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _Unreadable(f"not a regular file ({_kind(mode)}); not read")
        limit = max_bytes if max_bytes is not None else -1
        try:
            data = file.read(limit + 1 if limit >= 0 else -1)
        except OSError as e:
            raise _Unreadable(f"cannot read: {e.strerror or e}") from None
    if max_bytes is not None and len(data) > max_bytes:
        raise _Unreadable(f"larger than the {max_bytes / 1e6:g} MB limit (kg load "
                          f"--max-file-size); not read")
    return data


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "not a file"


def _decode(data: bytes) -> str:
    """The text in the encoding its coding cookie names (UTF-8 without one), BOM removed."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as e:      # a bad cookie, or bytes on the first lines that are not UTF-8
        reason = str(e)
        if reason.startswith("invalid or missing encoding declaration"):
            reason = "not UTF-8, and no coding cookie names another encoding"
        raise _Unreadable(f"line {_bad_line(data)}: cannot decode: {reason}") from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise _Unreadable(f"line {line}: cannot decode as {encoding}: {e.reason}") from None
    except LookupError as e:
        raise _Unreadable(f"line 1: cannot decode: {e}") from None
    return text[1:] if text.startswith("\ufeff") else text


def _bad_line(data: bytes) -> int:
    """The line of the first byte that is not UTF-8 (1 when they all are)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        return data.count(b"\n", 0, e.start) + 1
    return 1


def _too_deep(tree: astroid.Module) -> str | None:
    """Why a tree nests too deeply to extract, None when it does not (limits.py). The tree
    is walked a level at a time, each level's children gathered by one comprehension (three
    fifths of the CPU of pushing a (node, depth) pair for each node); the node named is the
    last of the first level too deep, the one a depth-first walk taking the last child
    first would find first."""
    limit = max_nesting()
    level = [tree]
    for _ in range(limit + 1):
        level = [child for node in level for child in node.get_children()]
        if not level:
            return None
    node = level[-1]
    return f"line {node.lineno or 1}: nested more than {limit} levels deep; not extracted"


def _syntax_message(e: astroid.AstroidSyntaxError) -> str:
    error = getattr(e, "error", None)
    if isinstance(error, SyntaxError):
        return f"line {error.lineno}: {error.msg}"
    if error is not None:
        return f"cannot parse: {type(error).__name__}: {error}"[:500]
    return str(e).splitlines()[0][:500]
