"""Where a load's time goes, phase by phase.

A load of a large project takes minutes, and the question after "how long" is "doing
what": the parse, the extraction, the project-wide steps and the store write call for
different remedies (more cores help only the extraction; an incremental load skips it
but not the parse). Each phase is timed where it runs, the forked extraction's phases
in its child, and they travel with the extraction's record; `kg load --timings` prints
them and the benchmarks record them.

Wall seconds, and CPU seconds of the process the phase ran in; a phase that forks
workers (the extraction) adds theirs once they have exited, so on two cores its CPU can
be nearly twice its wall.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Phase:
    name: str
    wall: float       # seconds
    cpu: float        # seconds: the process's own, and its workers' when it forked some


class Timings:
    """The phases of one load in the order they ended; a phase timed twice adds up."""

    def __init__(self) -> None:
        self._phases: dict[str, list[float]] = {}

    @contextmanager
    def timed(self, name: str, workers: bool = False,
              excluding: tuple[str, ...] = ()) -> Iterator[None]:
        """Time the block as phase `name`; workers: add the CPU of the processes it forked
        and waited for (a child's CPU is counted when it is reaped, so only a phase that
        reaps its own workers may ask); excluding: phases timed within the block that are
        not part of this one (the store write reads the facts it is handed as it goes)."""
        wall, cpu = time.perf_counter(), _cpu(workers)
        inner = self._sum(excluding)
        try:
            yield
        finally:
            inner_wall, inner_cpu = (a - b for a, b in zip(self._sum(excluding), inner, strict=True))
            self.add(name, time.perf_counter() - wall - inner_wall,
                     _cpu(workers) - cpu - inner_cpu)

    def add(self, name: str, wall: float, cpu: float) -> None:
        total = self._phases.setdefault(name, [0.0, 0.0])
        total[0] += wall
        total[1] += cpu

    def extend(self, phases: list[Phase]) -> None:
        for phase in phases:
            self.add(phase.name, phase.wall, phase.cpu)

    def _sum(self, names: tuple[str, ...]) -> tuple[float, float]:
        rows = [self._phases.get(name, (0.0, 0.0)) for name in names]
        return sum(r[0] for r in rows), sum(r[1] for r in rows)

    def phases(self) -> list[Phase]:
        return [Phase(name, round(wall, 3), round(cpu, 3))
                for name, (wall, cpu) in self._phases.items()]


def _cpu(with_children: bool) -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    seconds = own.ru_utime + own.ru_stime
    if with_children:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        seconds += children.ru_utime + children.ru_stime
    return seconds
