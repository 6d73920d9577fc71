"""Parsing source files into astroid trees without importing anything.

Every module of the target is parsed from its text and put in astroid's
module cache under its own dotted name before any inference runs. astroid
then resolves the target's imports from that cache and never searches
sys.path for them, so nothing of the target is found by the import system,
let alone executed. Extension modules are never loaded.
"""

from __future__ import annotations

import hashlib
import io
import sys
import tokenize
from dataclasses import dataclass

import astroid
from astroid.builder import AstroidBuilder
from astroid.context import _invalidate_cache
from astroid.inference_tip import clear_inference_tip_cache
from astroid.interpreter.objectmodel import ObjectModel
from astroid.manager import AstroidManager
from astroid.nodes import ClassDef
from astroid.nodes._base_nodes import LookupMixIn

from kg.loader.discover import SourceFile


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


def parse(files: list[SourceFile]) -> list[ParsedModule]:
    manager = safe_manager()
    _forget_all_if_search_path_changed(manager)
    parsed = [parse_one(manager, f) for f in files]
    for p in parsed:
        if p.tree is not None:
            manager.astroid_cache[p.source.module] = p.tree
    return parsed


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


def parse_one(manager: AstroidManager, f: SourceFile) -> ParsedModule:
    try:
        data = f.path.read_bytes()
    except OSError as e:
        return ParsedModule(f, None, None, f"cannot read: {e.strerror or e}", "")
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = _decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as e:
        return ParsedModule(f, None, None, f"cannot decode: {e}", digest)
    if "\x00" in text:
        return ParsedModule(f, text, None, "source contains NUL bytes", digest)
    try:
        tree = AstroidBuilder(manager).string_build(text, f.module, str(f.path))
    except astroid.AstroidSyntaxError as e:
        return ParsedModule(f, text, None, _syntax_message(e), digest)
    except (RecursionError, MemoryError, ValueError) as e:
        return ParsedModule(f, text, None, f"cannot parse: {type(e).__name__}: {e}"[:500], digest)
    return ParsedModule(f, text, tree, None, digest)


def _decode(data: bytes) -> str:
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    text = data.decode(encoding)
    return text[1:] if text.startswith("\ufeff") else text


def _syntax_message(e: astroid.AstroidSyntaxError) -> str:
    error = getattr(e, "error", None)
    if isinstance(error, SyntaxError):
        return f"line {error.lineno}: {error.msg}"
    return str(e).splitlines()[0][:500]
