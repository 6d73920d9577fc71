"""A large project's extraction in a forked child, so the process that writes the store
never holds the astroid heap.

Extracting builds a heap far larger than the facts: the target's trees, the stdlib and
third-party trees inference reaches, what it inferred, the steps' caches (sympy: 1.7 GB in
the process that merges the fragments). Dropped once the facts are made, that memory still
stays with the process: the facts were allocated among the heap's objects, so hardly any of
Python's arenas empties, and the store write's own memory (LadybugDB's: 0.8 GB on sympy) comes
on top. Extracted in a child, the heap leaves with the child: it writes its result, pickled,
to an unlinked temporary file and exits, and only then does this process read the result,
into fresh memory of its own. The price is pickling the facts there and back (sympy: about
3.5 CPU s of a 140 s load) and, for a later load in the same process, the stdlib trees the
child built and took away (about a second): small next to a large project's load, and the
reason a small project is still extracted in-process.

The child's progress reaches the caller's callback through a pipe. An exception in the child
is raised again here; the child dies with this process (Linux), so a killed load leaves no
extraction running on.
"""

from __future__ import annotations

import ctypes
import gc
import os
import pickle
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from kg.loader.discover import discover

# Sources at least this large (bytes, about 50,000 lines) are extracted in a child.
MIN_BYTES = 2_000_000

T = TypeVar("T")
Progress = Callable[[str, int, int], None]


def worth_a_child(root: Path, exclude: tuple[str, ...]) -> bool:
    """Whether the files a load of root reads are large enough to extract in a child."""
    if not sys.platform.startswith("linux"):
        return False        # os.fork, and a child that dies with its parent (prctl)
    total = 0
    for source in discover(root, exclude):
        try:
            total += source.path.stat().st_size
        except OSError:
            continue
        if total >= MIN_BYTES:
            break
    return total >= MIN_BYTES


def run(work: Callable[[Progress | None], T], progress: Progress | None) -> T:
    """work(progress) computed in a forked child: its result, or its exception raised here."""
    with tempfile.TemporaryFile() as result:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:                                    # the child: never returns
            os.close(read_end)
            _child(work, progress is not None, write_end, result)
        os.close(write_end)
        reaped = False
        try:
            _relay(read_end, progress)
            _, status = os.waitpid(pid, 0)
            reaped = True
            result.seek(0)
            if result.read(1) != b"r":
                raise RuntimeError(f"the extraction process ended without a result "
                                   f"({_how_it_ended(status)})")
            kind, value = _unpickled(result)
        finally:
            if not reaped:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
    if kind == "error":
        raise value
    return value


def _unpickled(file) -> tuple:
    """Unpickling makes millions of objects and no garbage: no collection needs to look."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.load(file)
    finally:
        if enabled:
            gc.enable()


def _relay(read_end: int, progress: Progress | None) -> None:
    """The child's progress, line by line, until it closes the pipe (it ends)."""
    with os.fdopen(read_end, "rb") as lines:
        for line in lines:
            if progress is not None:
                phase, done, total = line.decode().rsplit(" ", 2)
                progress(phase, int(done), int(total))


def _child(work: Callable, reports: bool, write_end: int, result) -> None:
    status = 1
    try:
        _die_with_parent()
        pipe = os.fdopen(write_end, "wb", buffering=0)

        def progress(phase: str, done: int, total: int) -> None:
            pipe.write(f"{phase} {done} {total}\n".encode())

        try:
            outcome = ("value", work(progress if reports else None))
        except BaseException as e:  # noqa: BLE001 - every failure is the caller's to see
            outcome = ("error", e)
        # Pickling allocates as it goes, and each collection that triggers would traverse the
        # whole heap the extraction left (sympy: 5 CPU s each); the process ends right after.
        gc.disable()
        result.write(b"r")
        try:
            pickle.dump(outcome, result, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as e:  # noqa: BLE001 - an exception that cannot be pickled
            result.seek(1)
            result.truncate()
            pickle.dump(("error", RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]}"
                                               f" ({e})")), result)
        result.flush()
        status = 0
    finally:
        os._exit(status)    # no cleanup of what the parent owns (its store, its files)


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)                   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:                               # the parent died before that
        os._exit(1)


def _how_it_ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.WEXITSTATUS(status)}"
