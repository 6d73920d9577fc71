"""The facts cache: each module's fragment from the last load, for the next incremental load.

A folder per repository (api.py chooses it: beside the embedded store's
generations, or under the user's cache folder for a Neo4j store) holding

    manifest.json          what the load saw: versions, source, module hashes and
                           fragment files, the project-wide name signature
    fragments/*.pickle     one pickled Fragment per module, named <load stamp>-<n>
    digest-<stamp>.bin     the digest of the graph the load wrote (model/changes.py),
                           which the next load compares its facts with to write only
                           what changed

A load writes the fragments it extracted under a new stamp and, once the
store has the new graph, replaces the manifest (an atomic rename) and deletes
the fragment files no manifest names. A load killed before that leaves the
previous manifest and its files whole. The cache is only trusted when the
manifest's versions, kg's loader code and the store's Load node all match;
anything else makes a full load (and a new cache).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import uuid
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import astroid

from kg import __version__
from kg.loader.context import ModuleContext
from kg.loader.fragments import Fragment, Unrelocatable, dumps, loads
from kg.loader.limits import Limits
from kg.model.changes import Changes, Digest, between
from kg.model.facts import Facts
from kg.model.schema import SCHEMA_VERSION

FORMAT = 1
MANIFEST = "manifest.json"
FRAGMENTS = "fragments"


@cache
def code_digest() -> str:
    """kg's loader and vocabulary as they are now: a cache made by other code is not reused."""
    digest = hashlib.sha256(f"{FORMAT} {__version__} {astroid.__version__}".encode())
    here = Path(__file__).resolve().parent
    for path in sorted([*here.glob("*.py"), here.parent / "model" / "schema.py",
                        here.parent / "model" / "facts.py"]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@dataclass
class Manifest:
    repo: str
    source: str
    load: str                                  # load_key of the Load node it goes with
    modules: dict[str, dict]                   # module -> {file, sha256, fragment, seconds}
    names: dict[str, str]                      # incremental.signature
    limits: str = ""                           # limits_key of the load's Limits
    digest: str = ""                           # file of the written graph's Digest
    code: str = field(default_factory=code_digest)
    schema_version: int = SCHEMA_VERSION
    kg_version: str = __version__


@dataclass
class Previous:
    """A readable cache: its manifest and where its fragments are."""

    folder: Path
    manifest: Manifest

    def hashes(self) -> dict[str, str]:
        return {m: row["sha256"] for m, row in self.manifest.modules.items()}

    def fragment(self, module: str, contexts: dict[str, ModuleContext]) -> Fragment:
        path = self.folder / FRAGMENTS / self.manifest.modules[module]["fragment"]
        return loads(path.read_bytes(), contexts)

    def weights(self) -> dict[str, float]:
        return {m: row.get("seconds", 0.0) for m, row in self.manifest.modules.items()}

    def changes(self, digest: Digest | None, facts: Facts, base: dict) -> Changes | None:
        """What turns the graph the previous load wrote (its Load node: base) into facts,
        whose digest is given; None when the cache holds no readable digest of it."""
        if digest is None or not self.manifest.digest:
            return None
        try:
            old = Digest.from_bytes((self.folder / self.manifest.digest).read_bytes())
        except OSError:
            return None
        return None if old is None else between(old, digest, facts, base)


def limits_key(limits: Limits) -> str:
    """Facts made under another file size limit or inference budget are other facts."""
    return (f"inference_steps={limits.inference_budget} "
            f"max_file_bytes={limits.max_file_bytes}")


def read(folder: Path, repo: str, source: str, load: dict | None,
         limits: Limits | None = None) -> Previous | None:
    """The cache in folder if it is the one the store's current Load node went with, made
    under the same limits."""
    try:
        data = json.loads((folder / MANIFEST).read_text())
        manifest = Manifest(**data)
    except (OSError, ValueError, TypeError):
        return None
    if (load is None or manifest.code != code_digest() or manifest.repo != repo
            or manifest.source != source or manifest.schema_version != SCHEMA_VERSION
            or manifest.limits != limits_key(limits or Limits())
            or manifest.kg_version != __version__ or load_key(load) != manifest.load
            or load.get("kg_version") != __version__
            or load.get("schema_version") != SCHEMA_VERSION):
        return None
    return Previous(folder, manifest)


def load_key(load: dict) -> str:
    """Which load a Load node records: its end time and a digest of its files and counts."""
    digest = hashlib.sha256(f"{load.get('file_hashes')}\0{load.get('counts')}".encode())
    return f"{load.get('finished')} {digest.hexdigest()[:16]}"


class Writer:
    """Writes a load's new fragments as they come, and its manifest at the end. A fragment
    it cannot write (a step kept a node it cannot locate, a full disk) makes it `broken`:
    the load goes on, and the next one is full."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.stamp = uuid.uuid4().hex[:12]
        self.files: dict[str, str] = {}
        self.digest = ""                        # file of the new graph's Digest, once written
        self.broken = False
        try:
            (folder / FRAGMENTS).mkdir(parents=True, exist_ok=True)
        except OSError:
            self.broken = True

    def add(self, fragment: Fragment, project, data: bytes | None = None) -> None:
        """data: the fragment as `dumps` gives it, when a worker already pickled it so."""
        if self.broken:
            return
        name = f"{self.stamp}-{len(self.files)}.pickle"
        try:
            (self.folder / FRAGMENTS / name).write_bytes(data or dumps(fragment, project))
        except (Unrelocatable, OSError, pickle.PicklingError, TypeError, AttributeError):
            self.abandon()
            self.broken = True
            return
        self.files[fragment.module] = name

    def add_digest(self, digest: Digest) -> None:
        """The digest of the graph this load writes, written where the facts are (a forked
        child's: what crosses to the writing process is then the file's name alone)."""
        if self.broken:
            return
        name = f"digest-{self.stamp}.bin"
        try:
            (self.folder / name).write_bytes(digest.to_bytes())
        except OSError:
            (self.folder / name).unlink(missing_ok=True)
            return
        self.digest = name

    def commit(self, manifest: Manifest) -> None:
        """The manifest, naming the digest of the graph written; then no file of an older
        load."""
        manifest.digest = self.digest
        pending = self.folder / (MANIFEST + ".new")
        pending.write_text(json.dumps(manifest.__dict__, sort_keys=True))
        os.replace(pending, self.folder / MANIFEST)
        kept = {row["fragment"] for row in manifest.modules.values()}
        for path in (self.folder / FRAGMENTS).iterdir():
            if path.name not in kept:
                path.unlink(missing_ok=True)
        for path in self.folder.glob("digest-*.bin"):
            if path.name != manifest.digest:
                path.unlink(missing_ok=True)

    def abandon(self) -> None:
        for name in self.files.values():
            (self.folder / FRAGMENTS / name).unlink(missing_ok=True)
        self.files.clear()
        if self.digest:
            (self.folder / self.digest).unlink(missing_ok=True)
            self.digest = ""


def clear(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
