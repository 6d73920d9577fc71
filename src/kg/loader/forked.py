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
3 CPU s of a 140 s load) and, for a later load in the same process, the stdlib trees the
child built and took away (about a second): small next to a large project's load, and the
reason a small project is still extracted in-process.

An incremental load pays no such price: the child also works out what the store write needs
besides the facts (the counts, the new graph's digest, the changes from the stored graph)
and hands over only that; it keeps the facts until the store has taken the changes, then
exits. Only when the store wants the whole graph after all (its Load node is not the one
the changes were computed against; the embedded file was written since) does the child
pickle the facts, and it exits before this process reads them, so the astroid heap and the
whole write are never in memory at once (Child, Deferred). A full load's child hands over
the counts, then the facts, and no digest: the store write does not need it, so the writing
process works it out beside the write (api._Digesting). The facts cross Packed: their
relationships as columns, not an object each.

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
from operator import attrgetter
from pathlib import Path
from typing import TypeVar

from kg.loader.discover import discover
from kg.model.facts import Edge, Facts

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
    with Child(lambda report: (work(report), None), progress) as child:
        child.let_go()
        return child.first


class Child:
    """work(progress) computed in a forked child, whose result is a pair handed over in two
    steps: the first part when the work is done, the second only if asked for.

    While this process uses the first part (a load: the counts, the digest and the changes
    for the store), the child waits, still holding the second (the whole facts) in the heap
    it made them in; letting it go (let_go) tells it to exit without pickling them. So an
    incremental load whose store takes the changes never pickles the facts at all, and one
    whose store wants the whole graph after all gets it as a full load does: the child
    pickles it and exits, and only then is it read here. An exception in the child is
    raised again here, from the constructor or from `second`."""

    def __init__(self, work: Callable[[Progress | None], tuple], progress: Progress | None):
        # closed by close(), which the child owner calls (a with block, or api.load)
        self._first = tempfile.TemporaryFile()  # noqa: SIM115
        self._second = tempfile.TemporaryFile()  # noqa: SIM115
        read_end, write_end = os.pipe()
        self._ask, ask_end = os.pipe()[::-1]        # this process writes, the child reads
        self.pid = os.fork()
        if self.pid == 0:                               # the child: never returns
            os.close(read_end)
            os.close(self._ask)
            _child(work, progress is not None, write_end, ask_end, self._first, self._second)
        os.close(write_end)
        os.close(ask_end)
        self._reaped = self._let_go = False
        try:
            ready = _relay(read_end, progress)
            if not ready:
                raise RuntimeError(f"the extraction process ended without a result "
                                   f"({_how_it_ended(self._wait())})")
            self.first = self._read(self._first)
        except BaseException:
            self.close()
            raise

    def second(self):
        """The second part of the work's result: the child pickles it and exits."""
        os.write(self._ask, b"s")
        status = self._wait()
        return self._read(self._second, status)

    def let_go(self) -> None:
        """The child, not asked for the second part, exits on its own (its heap goes with
        it) while this process goes on; close() then only reaps it."""
        if self._ask is not None:
            os.close(self._ask)                          # end of file: it exits
            self._ask = None
            self._let_go = True

    def close(self) -> None:
        """The child has exited, killed unless it was let go: its heap is gone."""
        if not self._reaped:
            if not self._let_go:
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self._wait()
        self._first.close()
        self._second.close()

    def __enter__(self) -> Child:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _wait(self) -> int:
        if self._ask is not None:
            os.close(self._ask)
            self._ask = None
        _, self.status = os.waitpid(self.pid, 0)
        self._reaped = True
        return self.status

    def _read(self, file, status: int | None = None):
        file.seek(0)
        if file.read(1) != b"r":
            ended = f" ({_how_it_ended(status)})" if status is not None else ""
            raise RuntimeError(f"the extraction process ended without a result{ended}")
        kind, value = _unpickled(file)
        if kind == "error":
            raise value
        return value


class Deferred:
    """Facts still in the child: asked for (Child.second) when something first reads them."""

    def __init__(self, fetch: Callable[[], object]):
        self._fetch = fetch
        self._facts = None

    def __getattr__(self, name: str):
        if self._facts is None:
            self._facts = self._fetch()
        return getattr(self._facts, name)


class Packed:
    """Facts as they cross to the writing process: each label's rows as they are, the
    relationships as six columns rather than an object each. Pickling an Edge calls its
    __reduce__, a Python call per relationship (sympy: 874k); the columns pickle in about
    half the time (2.5 -> 1.6 CPU s on sympy, the child's part of the hand-over) and read
    back into the same Facts as fast."""

    def __init__(self, facts: Facts):
        self.facts = facts

    def __reduce__(self):
        edges = self.facts.edges
        columns = tuple(list(map(attrgetter(name), edges)) for name in _EDGE_FIELDS)
        return (_unpacked_facts, (self.facts.nodes, columns))


_EDGE_FIELDS = ("type", "src_label", "src", "dst_label", "dst", "props")


def _unpacked_facts(nodes: dict, columns: tuple) -> Facts:
    return Facts(nodes=nodes, edges=list(map(Edge, *columns)))


def _unpickled(file) -> tuple:
    """Unpickling makes millions of objects and no garbage: no collection needs to look."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.load(file)
    finally:
        if enabled:
            gc.enable()


READY = b"ready\n"


def _relay(read_end: int, progress: Progress | None) -> bool:
    """The child's progress, line by line, until it says its first result is written (True)
    or closes the pipe without (it ended)."""
    with os.fdopen(read_end, "rb") as lines:
        for line in lines:
            if line == READY:
                return True
            if progress is not None:
                phase, done, total = line.decode().rsplit(" ", 2)
                progress(phase, int(done), int(total))
    return False


def _child(work: Callable, reports: bool, write_end: int, ask_end: int, first, second) -> None:
    status = 1
    try:
        _die_with_parent()
        pipe = os.fdopen(write_end, "wb", buffering=0)

        def progress(phase: str, done: int, total: int) -> None:
            pipe.write(f"{phase} {done} {total}\n".encode())

        try:
            value = work(progress if reports else None)
            now, later = ("value", value[0]), ("value", value[1])
        except BaseException as e:  # noqa: BLE001 - every failure is the caller's to see
            now = later = ("error", e)
            value = None
        # Pickling allocates as it goes, and each collection that triggers would traverse the
        # whole heap the extraction left (sympy: 5 CPU s each); the process ends right after.
        gc.disable()
        _write(first, now)
        pipe.write(READY)
        pipe.close()
        if now[0] == "value" and os.read(ask_end, 1) == b"s":
            _write(second, later)
        status = 0
    finally:
        os._exit(status)    # no cleanup of what the parent owns (its store, its files)


def _write(file, outcome: tuple) -> None:
    file.seek(0)
    file.write(b"r")
    try:
        pickle.dump(outcome, file, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as e:  # noqa: BLE001 - an exception that cannot be pickled
        file.seek(1)
        file.truncate()
        pickle.dump(("error", RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]}"
                                           f" ({e})")), file)
    file.flush()


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
