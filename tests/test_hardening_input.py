"""Hostile and odd input: a corpus generated here (nothing large is committed) is loaded
through the real CLI on the embedded store. For each case the load finishes, the file's
problem is reported with its line (where there is one) in the summary and in the Load
node, everything else is loaded, and the exit code is the documented one
(docs/bad-input.md: 0 when anything loaded, 2 when nothing could be).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import api
from kg.cli.main import cli
from kg.loader import extract
from kg.loader.limits import max_nesting
from reliability_record import record

MB = 1_000_000


def _write(root: Path, rel: str, content: str | bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = textwrap.dedent(content).lstrip("\n").encode("utf-8")
    path.write_bytes(content)


def _files(files: dict[str, str | bytes]) -> Callable[[Path, Path], None]:
    def make(root: Path, outside: Path) -> None:
        for rel, content in files.items():
            _write(root, rel, content)
    return make


def _symlink(rel: str, target: str | Callable[[Path, Path], Path]) -> Callable:
    def make(root: Path, outside: Path) -> None:
        link = root / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target(root, outside) if callable(target) else target)
    return make


def _both(*makers: Callable) -> Callable:
    def make(root: Path, outside: Path) -> None:
        for maker in makers:
            maker(root, outside)
    return make


def _fifo(root: Path, outside: Path) -> None:
    os.mkfifo(root / "pkg" / "fifo.py")


def _huge(root: Path, outside: Path) -> None:
    line = b"value_0123456789 = 'abcdefghijklmnopqrstuvwxyz0123456789'\n"
    with open(root / "pkg" / "huge.py", "wb") as out:
        out.write(line * (50 * MB // len(line) + 1))


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path, Path], None]      # (corpus root, a folder outside it)
    reported: str | None = None             # the file whose problem is reported, if any
    message: str = ""                       # what its report says
    present: tuple[tuple[str, str], ...] = ()    # (label, name) the graph must hold
    absent: tuple[tuple[str, str], ...] = ()     # (label, name) it must not
    also_reported: tuple[str, ...] = ()          # other files reported the same way


CASES = [
    Case("syntax error", _files({"pkg/syntax_error.py": "x = 1\n\ndef f(:\n    pass\n"}),
         "pkg/syntax_error.py", "line 3: invalid syntax"),
    Case("python 2 print statement", _files({"pkg/py2_print.py": "import sys\nprint 'hi'\n"}),
         "pkg/py2_print.py", "line 2: Missing parentheses in call to 'print'"),
    Case("python 2 except clause",
         _files({"pkg/py2_except.py": "try:\n    pass\nexcept ValueError, e:\n    pass\n"}),
         "pkg/py2_except.py", "line 3: multiple exception types must be parenthesized"),
    Case("latin-1 with coding cookie",
         _files({"pkg/latin1_cookie.py": b"# -*- coding: latin-1 -*-\nNAME = 'caf\xe9'\n\n"
                 b"def greet():\n    return NAME\n"}),
         present=(("Function", "pkg.latin1_cookie.greet"),
                  ("Variable", "pkg.latin1_cookie.NAME"))),
    Case("latin-1 without cookie",
         _files({"pkg/latin1_plain.py": b"def greet():\n    pass\nNAME = 'caf\xe9'\n"}),
         "pkg/latin1_plain.py", "line 3: cannot decode as utf-8"),
    Case("latin-1 without cookie on line 1",
         _files({"pkg/latin1_first.py": b"NAME = 'caf\xe9'\n"}),
         "pkg/latin1_first.py", "line 1: cannot decode: not UTF-8"),
    Case("unknown coding cookie",
         _files({"pkg/klingon.py": "# -*- coding: klingon -*-\nx = 1\n"}),
         "pkg/klingon.py", "line 1: cannot decode: unknown encoding"),
    Case("UTF-8 BOM", _files({"pkg/bom.py": b"\xef\xbb\xbfdef with_bom():\n    return 1\n"}),
         present=(("Function", "pkg.bom.with_bom"),)),
    Case("NUL bytes", _files({"pkg/nul.py": b"x = 1\ny = 2\x00\n"}),
         "pkg/nul.py", "line 2: source contains NUL bytes"),
    Case("expression nested 10,000 deep (1+1+...)",
         _files({"pkg/deep_sum.py": "x = " + "+".join(["1"] * 10_000) + "\n"}),
         "pkg/deep_sum.py", "RecursionError"),
    Case("expression nested 10,000 deep (parentheses)",
         _files({"pkg/deep_parens.py": "x = " + "(" * 10_000 + "1" + ")" * 10_000 + "\n"}),
         "pkg/deep_parens.py", "line 1: too many nested parentheses"),
    Case("expression nested deeper than kg extracts",
         _files({"pkg/deep_chain.py": "x = a" + ".b" * (max_nesting() + 50) + "\n"}),
         "pkg/deep_chain.py", f"line 1: nested more than {max_nesting()} levels deep"),
    Case("50 MB generated module", _huge, "pkg/huge.py", "larger than the 5 MB limit"),
    Case("symbolic link loop", _both(_symlink("pkg/loop_a.py", "loop_b.py"),
                                     _symlink("pkg/loop_b.py", "loop_a.py")),
         "pkg/loop_a.py", "symbolic link loop; not followed", also_reported=("pkg/loop_b.py",)),
    Case("symbolic link to itself", _symlink("pkg/self_loop.py", "self_loop.py"),
         "pkg/self_loop.py", "symbolic link loop; not followed"),
    Case("folder symbolic link loop", _symlink("pkg/again", "."),
         absent=(("Module", "pkg.again.ok"),)),
    Case("symbolic link to a file outside the tree",
         _symlink("pkg/outside.py", lambda root, outside: outside / "secret.py"),
         "pkg/outside.py", "symbolic link to a file outside the loaded folder",
         absent=(("Function", "pkg.outside.secret"),)),
    Case("symbolic link to a folder outside the tree",
         _symlink("pkg/elsewhere", lambda root, outside: outside),
         absent=(("Module", "pkg.elsewhere.secret"), ("Function", "pkg.elsewhere.secret.secret"))),
    Case("broken symbolic link", _symlink("pkg/dangling.py", "nowhere.py"),
         "pkg/dangling.py", "broken symbolic link"),
    Case("unreadable file (a FIFO: never opened for a blocking read)", _fifo,
         "pkg/fifo.py", "not a regular file (a FIFO); not read"),
    Case("circular imports", _files({
        "pkg/cycle_a.py": "from pkg import cycle_b\n\ndef a():\n    return cycle_b.b()\n",
        "pkg/cycle_b.py": "from pkg import cycle_a\n\ndef b():\n    return cycle_a.a()\n"}),
         present=(("Function", "pkg.cycle_a.a"), ("Function", "pkg.cycle_b.b"))),
    Case("modules shadowing the stdlib", _files({
        "os.py": "def getcwd():\n    return 'fake'\n",
        "typing.py": "List = None\n\ndef cast(kind, value):\n    return value\n",
        "pkg/shadow_user.py": """
            import os
            import typing
            from dataclasses import dataclass

            @dataclass
            class Point:
                x: int

            def use():
                typing.cast(int, Point(1))
                return os.getcwd()
        """}),
         present=(("Module", "os"), ("Module", "typing"), ("Function", "os.getcwd"),
                  ("Class", "pkg.shadow_user.Point"))),
    Case("namespace package without __init__.py", _files({
        "ns/inner/helpers.py": "def helper():\n    return 1\n",
        "pkg/uses_ns.py": "from ns.inner.helpers import helper\n\ndef use():\n"
                          "    return helper()\n"}),
         present=(("Module", "ns.inner.helpers"), ("Function", "ns.inner.helpers.helper"))),
    Case("empty file", _files({"pkg/empty.py": ""}), present=(("Module", "pkg.empty"),)),
]
if os.geteuid() != 0:
    def _unreadable(root: Path, outside: Path) -> None:
        path = root / "pkg" / "no_access.py"
        path.write_text("x = 1\n")
        path.chmod(0)
    CASES.append(Case("unreadable file (chmod 000)", _unreadable, "pkg/no_access.py",
                      "cannot read: Permission denied"))

GOOD = {
    "pkg/__init__.py": "",
    "pkg/ok.py": "def fine():\n    return 1\n",
    "pkg/caller.py": "from pkg.ok import fine\n\ndef calls_fine():\n    return fine()\n",
}


def build_corpus(base: Path) -> Path:
    """Every case in one tree beside a few good modules, so one load shows the rest loads."""
    root, outside = base / "corpus", base / "outside"
    _write(outside, "secret.py", "def secret():\n    return 'out of the tree'\n")
    _files(GOOD)(root, outside)
    for case in CASES:
        case.make(root, outside)
    return root


def kg(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@dataclass
class Loaded:
    root: Path
    store: Path
    exit_code: int
    output: str
    parse_errors: list[str]
    names: set[tuple[str, str]]
    calls: set[tuple[str, str]]
    imports: set[tuple[str, str]]


def _rows(store: Path, cypher: str) -> list[list]:
    return api.query(cypher, store=str(store)).rows


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Loaded:
    base = tmp_path_factory.mktemp("bad-input")
    root = build_corpus(base)
    store = base / "store"
    result = kg("load", str(root), "--repo", "corpus", "-q", "--store", str(store))
    [[parse_errors]] = _rows(store, "MATCH (l:Load) RETURN l.parse_errors")
    names = set()
    for label, key in (("Module", "name"), ("Function", "qualname"), ("Class", "qualname"),
                       ("Variable", "qualname")):
        names |= {(label, n) for [n] in _rows(store, f"MATCH (n:{label}) RETURN n.{key}")}
    calls = {tuple(r) for r in _rows(
        store, "MATCH (a:Function)-[:CALLS]->(b:Function) RETURN a.qualname, b.qualname")}
    imports = {tuple(r) for r in _rows(
        store, "MATCH (a:Module)-[:IMPORTS]->(b:Module) RETURN a.name, b.name")}
    return Loaded(root, store, result.exit_code, result.output, parse_errors or [], names,
                  calls, imports)


def test_the_corpus_loads_and_exits_0(loaded):
    assert loaded.exit_code == 0, loaded.output
    assert "loaded corpus from" in loaded.output
    reported = {f for c in CASES if c.reported for f in (c.reported, *c.also_reported)}
    assert {e.split(": ", 1)[0] for e in loaded.parse_errors} == reported
    assert f"parse errors ({len(reported)}):" in loaded.output


def test_everything_else_is_loaded(loaded):
    assert {("Function", "pkg.ok.fine"), ("Function", "pkg.caller.calls_fine")} <= loaded.names
    assert ("pkg.caller.calls_fine", "pkg.ok.fine") in loaded.calls
    every_file = {p.relative_to(loaded.root).as_posix() for p in loaded.root.rglob("*.py")
                  if "again" not in p.parts and "elsewhere" not in p.parts}
    modules = {n for label, n in loaded.names if label == "Module"}
    assert len(modules) == len(every_file), sorted(modules)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_case(loaded, case):
    """Recorded before it is asserted, so docs/reliability.md shows a failing case too."""
    wrong = []
    for file in (case.reported, *case.also_reported) if case.reported else ():
        problems = [e for e in loaded.parse_errors if e.split(": ", 1)[0] == file]
        summary = [line for line in loaded.output.splitlines()
                   if line.strip().startswith(file + ":")]
        if len(problems) != 1 or case.message not in problems[0]:
            wrong.append(f"Load node: {problems}")
        if len(summary) != 1 or case.message not in summary[0]:
            wrong.append(f"summary: {summary}")
    wrong += [f"missing {name}" for name in case.present if name not in loaded.names]
    wrong += [f"loaded {name}" for name in case.absent if name in loaded.names]
    outcome = "wrong" if wrong else "reported" if case.reported else "loaded"
    record("bad-input", case.name, outcome=outcome, exit_code=loaded.exit_code,
           reported_file=case.reported, message=case.message or None)
    assert not wrong, wrong
    assert loaded.exit_code == 0


def test_an_out_of_tree_symlinked_file_is_never_read(loaded):
    assert not any(name.endswith("secret") for _, name in loaded.names)
    assert "out of the tree" not in loaded.output


def test_circular_imports_give_both_edges(loaded):
    assert {("pkg.cycle_a", "pkg.cycle_b"), ("pkg.cycle_b", "pkg.cycle_a")} <= loaded.imports
    assert ("pkg.cycle_a.a", "pkg.cycle_b.b") in loaded.calls


def test_namespace_package_is_imported_and_called(loaded):
    assert ("pkg.uses_ns", "ns.inner.helpers") in loaded.imports
    assert ("pkg.uses_ns.use", "ns.inner.helpers.helper") in loaded.calls


def test_a_module_shadowing_the_stdlib_is_the_targets_own(loaded):
    """Inside the target, `import os` finds the target's top-level os.py (as when its folder
    is first on sys.path); the stdlib's own modules still infer: the dataclass is a class."""
    assert ("pkg.shadow_user.use", "os.getcwd") in loaded.calls
    assert ("pkg.shadow_user", "os") in loaded.imports


def test_a_later_load_sees_the_real_stdlib_again(loaded, tmp_path):
    root = tmp_path / "plain"
    _files({"plain.py": "import os\n\ndef here():\n    return os.getcwd()\n"})(root, tmp_path)
    extraction = extract(root, "plain")
    externals = {row["qualname"] for row in extraction.facts.nodes["External"].values()}
    assert "os.getcwd" in externals
    assert not extraction.parse_errors and not extraction.step_errors


def test_the_load_node_lists_each_problem_with_its_line(loaded):
    by_file = dict(e.split(": ", 1) for e in loaded.parse_errors)
    assert by_file["pkg/syntax_error.py"] == "line 3: invalid syntax"
    assert by_file["pkg/nul.py"] == "line 2: source contains NUL bytes"
    assert by_file["pkg/latin1_plain.py"].startswith("line 3: ")


# Runs kg's CLI and, as the process exits, writes its own memory high-water mark (VmHWM, kept
# per address space, so it starts afresh at exec) and the largest of its children's. The
# child's ru_maxrss from wait4 or RUSAGE_CHILDREN would not do: Linux carries the parent's
# high-water mark across exec (vfork included), so it never reads below pytest's own peak,
# which earlier tests' in-process loads raise past 1.5 GB in a full run.
_PEAK_REPORTING = """
import atexit, os, resource, sys
from pathlib import Path
out, me = Path(sys.argv.pop(1)), os.getpid()
def report():
    if os.getpid() != me:
        return
    status = Path("/proc/self/status").read_text().splitlines()
    own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out.write_text(f"{own} {children}")
atexit.register(report)
sys.argv[0] = "kg"
from kg.cli.main import main
main()
"""


def test_as_a_subprocess_within_bounded_time_and_memory(loaded, tmp_path):
    """The real command: a FIFO does not block it and the 50 MB module is never parsed."""
    peak = tmp_path / "peak"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, "-c", _PEAK_REPORTING, str(peak), "load",
                           str(loaded.root), "--repo", "corpus", "-q",
                           "--store", str(tmp_path / "store")],
                          capture_output=True, text=True, timeout=300)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert done.returncode == 0, done.stderr
    assert "pkg/huge.py: larger than the 5 MB limit" in done.stdout
    assert "pkg/fifo.py: not a regular file" in done.stdout
    assert after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime < 120
    own_kb, children_kb = map(int, peak.read_text().split())
    assert max(own_kb, children_kb) < 1_000_000     # the 50 MB file parsed would take ~15 GB
    assert done.stderr.count("\n") < 5, done.stderr     # no warning flood


def test_max_file_size_is_configurable(tmp_path):
    root = tmp_path / "sized"
    _files({"pkg/__init__.py": "", "pkg/big.py": "x = 1\n" * 5000,
            "pkg/small.py": "y = 2\n"})(root, tmp_path)
    limited = kg("load", str(root), "-q", "--max-file-size", "0.01",
                 "--store", str(tmp_path / "s1"))
    assert limited.exit_code == 0
    assert "pkg/big.py: larger than the 0.01 MB limit" in limited.output
    default = kg("load", str(root), "-q", "--store", str(tmp_path / "s2"))
    assert default.exit_code == 0 and "parse errors" not in default.output


def test_nothing_loadable_exits_2_and_keeps_the_previous_graph(tmp_path):
    good, bad = tmp_path / "good", tmp_path / "bad"
    _files({"app.py": "def fine():\n    return 1\n"})(good, tmp_path)
    _files({"app.py": "def broken(:\n", "other.py": b"\x00"})(bad, tmp_path)
    store = str(tmp_path / "store")
    assert kg("load", str(good), "--repo", "demo", "-q", "--store", store).exit_code == 0
    refused = kg("load", str(bad), "--repo", "demo", "-q", "--store", store)
    assert refused.exit_code == 2
    assert "none of its 2 Python files could be read and parsed" in refused.output
    assert "app.py: line 1: invalid syntax" in refused.output
    assert _rows(Path(store), "MATCH (f:Function) RETURN f.qualname") == [["app.fine"]]


def test_one_readable_file_is_enough_to_exit_0(tmp_path):
    root = tmp_path / "mixed"
    _files({"app.py": "def broken(:\n", "empty.py": ""})(root, tmp_path)
    result = kg("load", str(root), "-q", "--store", str(tmp_path / "store"))
    assert result.exit_code == 0 and "app.py: line 1: invalid syntax" in result.output
