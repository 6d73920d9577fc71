"""A folder the walk cannot list is reported by its path, and the rest of the tree loads.

docs/bad-input.md: the folder is listed like an unreadable file, as the package its path
names, in the summary's `parse errors`, in `Load.parse_errors` and on its `Module` node.
Two real causes are made here: a folder without permissions (chmod 000), and a folder
whose path is longer than the system's limit. Root lists a chmod-000 folder anyway, so
as root the command runs under `setpriv` without the two capabilities that let it (the
folder's permissions then hold for root too); the long path needs no privilege at all.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness import write_package
from kg import api
from kg.cli.main import cli
from kg.loader import extract
from kg.loader.discover import discover

PROJECT = {
    "pkg/__init__.py": "",
    "pkg/ok.py": "def fine():\n    return 1\n",
    "pkg/caller.py": "from pkg.ok import fine\n\n\ndef calls_fine():\n    return fine()\n",
    "pkg/locked/__init__.py": "",
    "pkg/locked/hidden.py": "def hidden():\n    return 2\n",
}
DENIED = ("pkg/locked/: cannot list the folder: Permission denied; "
          "the modules in it are not loaded")
CAPABILITIES = "-dac_override,-dac_read_search"


def unprivileged() -> list[str]:
    """The prefix under which a folder's permissions hold: none for an ordinary user; as
    root, setpriv dropping the capabilities that read and search any folder."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv (util-linux): root lists a chmod-000 "
                    "folder, so the condition cannot be made")
    return [setpriv, f"--bounding-set={CAPABILITIES}", f"--inh-caps={CAPABILITIES}"]


def kg_command(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*unprivileged(), sys.executable, "-m", "kg", *args],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def locked(tmp_path):
    """The project with pkg/locked chmod 000 (restored afterwards, so it can be removed)."""
    root = write_package(tmp_path / "app", PROJECT)
    folder = root / "pkg" / "locked"
    folder.chmod(0)
    try:
        yield root
    finally:
        folder.chmod(0o755)


def rows(store: Path, cypher: str) -> list[list]:
    return api.query(cypher, store=str(store)).rows


def test_a_folder_without_permissions_is_reported_and_the_rest_loads(locked, tmp_path):
    store = tmp_path / "store"
    done = kg_command("load", str(locked), "--repo", "app", "-q", "--store", str(store))
    assert done.returncode == 0, done.stderr
    assert "parse errors (1):" in done.stdout
    assert f"    {DENIED}" in done.stdout.splitlines()
    assert rows(store, "MATCH (l:Load) RETURN l.parse_errors") == [[[DENIED]]]
    assert rows(store, "MATCH (m:Module {name: 'pkg.locked'}) "
                       "RETURN m.parse_error, m.is_package") == [[DENIED.split(": ", 1)[1], True]]
    modules = {name for [name] in rows(store, "MATCH (m:Module) RETURN m.name")}
    assert modules == {"pkg", "pkg.ok", "pkg.caller", "pkg.locked"}   # not pkg.locked.hidden
    assert rows(store, "MATCH (:Function {qualname: 'pkg.caller.calls_fine'})-[:CALLS]->"
                       "(f:Function) RETURN f.qualname") == [["pkg.ok.fine"]]
    info = kg_command("info", "--format", "json", "--store", str(store))
    [load] = json.loads(info.stdout)
    assert load["repository"]["parse_errors"] == [DENIED]


def test_once_the_folder_can_be_listed_again_its_modules_load(locked, tmp_path):
    store = tmp_path / "store"
    assert kg_command("load", str(locked), "--repo", "app", "-q",
                      "--store", str(store)).returncode == 0
    (locked / "pkg" / "locked").chmod(0o755)
    again = api.load(locked, store=str(store), repo="app", jobs=1)
    assert again.incremental and not again.parse_errors
    assert rows(store, "MATCH (m:Module {name: 'pkg.locked'}) RETURN m.parse_error") == [[None]]
    assert rows(
        store, "MATCH (f:Function {qualname: 'pkg.locked.hidden.hidden'}) RETURN f.qualname") == [["pkg.locked.hidden.hidden"]]


def test_a_loaded_folder_that_cannot_be_listed_is_an_input_error(tmp_path):
    """The command refuses it before loading (exit 2, as a missing PATH); the loader says
    why (kg.api.load looks for its kg.toml first, and fails there)."""
    root = write_package(tmp_path / "app", {"app.py": "x = 1\n"})
    store = str(tmp_path / "store")
    loader = ("import sys\nfrom kg.loader import extract\nfrom kg.errors import InputError\n"
              "try:\n    extract(sys.argv[1], 'app')\n"
                       "except InputError as e:\n    print(e)\n")
    root.chmod(0)
    try:
        done = kg_command("load", str(root), "-q", "--store", store)
        loaded = subprocess.run([*unprivileged(), sys.executable, "-c", loader, str(root)],
                                capture_output=True, text=True, timeout=300)
    finally:
        root.chmod(0o755)
    assert done.returncode == 2
    assert f"Path '{root}' is not readable" in done.stderr
    assert loaded.stdout == f"{root}: cannot list the folder: Permission denied\n", \
        loaded.stderr


def deep_folder(parent: Path, top: str) -> tuple[str, str]:
    """parent/top/d.../d...: folders nested until the deepest one's path is longer than the
    system allows (made relative to an open folder: no path could name the deepest), with a
    module in it. Returns the deepest folder's path below parent and the module's name."""
    limit = os.pathconf(parent, "PC_PATH_MAX")      # counting the final NUL
    name, rel = "d" * 200, [top]
    fd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.mkdir(top, dir_fd=fd)
        fd = _enter(fd, top)
        while len(str(parent / "/".join(rel))) < limit:
            os.mkdir(name, dir_fd=fd)
            fd = _enter(fd, name)
            rel.append(name)
        module = os.open("deep.py", os.O_WRONLY | os.O_CREAT, dir_fd=fd)
        os.write(module, b"def deep():\n    return 3\n")
        os.close(module)
    finally:
        os.close(fd)
    return "/".join(rel) + "/", ".".join(rel) + ".deep"


def _enter(fd: int, name: str) -> int:
    inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
    os.close(fd)
    return inner


def test_a_folder_whose_path_is_too_long_is_reported_and_the_rest_loads(tmp_path):
    root = write_package(tmp_path / "app", {k: v for k, v in PROJECT.items()
                                            if "locked" not in k})
    unlisted, deepest = deep_folder(root / "pkg", "nested")
    result = CliRunner().invoke(cli, ["load", str(root), "-q", "--store",
                                      str(tmp_path / "store")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    message = "cannot list the folder: File name too long; the modules in it are not loaded"
    assert f"    pkg/{unlisted}: {message}" in result.output.splitlines()
    facts = extract(root, "app").facts
    names = {row["name"] for row in facts.nodes["Module"].values()}
    assert "pkg.ok" in names and "pkg." + unlisted.rstrip("/").replace("/", ".") in names
    assert f"pkg.{deepest}" not in names


def test_an_excluded_folder_is_not_reported(tmp_path):
    root = write_package(tmp_path / "app", {"pkg/__init__.py": "", "pkg/ok.py": ""})
    deep_folder(root / "pkg", "nested")
    assert [f.rel for f in discover(root, exclude=("pkg/nested",))] == [
        "pkg/__init__.py", "pkg/ok.py"]
    assert [f.rel for f in discover(root, exclude=("pkg/nested/*",))] == [
        "pkg/__init__.py", "pkg/ok.py"]
    assert len(discover(root)) == 3
