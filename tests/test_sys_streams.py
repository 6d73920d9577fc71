"""The graph does not depend on the streams of the process that loads: astroid builds the
tree of `sys` (a module built into the interpreter) from the live module, so under pytest's
capture or in a Jupyter kernel `sys.stdout` is another object than under a plain `kg load`,
and `sys.stdout.write(...)` in the target would infer to that object's class."""

from __future__ import annotations

import json
import sys

import astroid

from harness import load_code

SOURCE = {
    "app/__init__.py": "",
    "app/out.py": """
        import sys

        def say(text):
            sys.stdout.write(text)
            sys.stderr.flush()
            return sys.stdin.readline()
    """,
}


class Kernel:
    """A stream of another class than a text file's, as a Jupyter kernel or pytest has."""

    def write(self, text):
        return len(text)

    def flush(self):
        pass

    def readline(self):
        return ""


def _facts(graph) -> list[str]:
    facts = graph.facts
    lines = [json.dumps(["N", label, row], sort_keys=True, default=repr)
             for label, rows in facts.nodes.items() for row in rows.values()]
    lines += [json.dumps(["E", e.type, e.src, e.dst, e.props], sort_keys=True, default=repr)
              for e in facts.edges]
    return sorted(lines)


def _load(tmp_path, streams, built_before: bool = False):
    """Load SOURCE with the process's streams set to `streams` (None: as they are), with
    `sys` built afresh, by kg or, when built_before, by something else first."""
    saved = sys.stdin, sys.stdout, sys.stderr
    astroid.MANAGER.astroid_cache.pop("sys", None)
    try:
        if streams is not None:
            sys.stdin = sys.stdout = sys.stderr = streams
        if built_before:
            astroid.MANAGER.ast_from_module_name("sys")
        return load_code(tmp_path, SOURCE, repo="r")
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved


def _calls(graph) -> set[tuple[str, str]]:
    return {pair for pair in graph.edges("CALLS") if pair[0] == "app.out.say"}


def test_sys_stdout_write_infers_the_same_whatever_the_process_streams_are(tmp_path):
    plain = _load(tmp_path / "plain", sys.__stdout__)
    replaced = _load(tmp_path / "replaced", Kernel())
    assert _facts(replaced) == _facts(plain)
    calls = _calls(plain)
    assert ("app.out.say", "io.TextIOWrapper.write") in calls, calls
    assert not any("Kernel" in callee for _, callee in calls)


def test_a_sys_tree_something_else_built_first_is_built_again(tmp_path):
    plain = _load(tmp_path / "plain", None)
    foreign = _load(tmp_path / "foreign", Kernel(), built_before=True)
    assert _facts(foreign) == _facts(plain)
    assert ("app.out.say", "io.TextIOWrapper.write") in _calls(foreign)


def test_the_process_streams_are_given_back(tmp_path):
    kernel = Kernel()
    saved = sys.stdout
    sys.stdout = kernel
    try:
        astroid.MANAGER.astroid_cache.pop("sys", None)
        load_code(tmp_path, SOURCE, repo="r")
        assert sys.stdout is kernel
    finally:
        sys.stdout = saved
    assert sys.__stdout__ is not None and sys.__stdout__ is not kernel
