"""What each entry point runs: modules, functions and lines, in its own process and across
the subprocess hops it makes.

Counted on the call walk `kg diagram path --from NAME` draws (kg.queries.walk, started
as kg.queries.entry resolves the entry point's name), so the report's numbers are the
diagram's totals. Entry points sharing a name (a console script and its click group)
start from the same code and get the same footprint.
"""

from __future__ import annotations

from kg.queries.entry import EntryPoints, resolve
from kg.queries.store import Store
from kg.queries.walk import Step, Walked, walk


def entry_point_paths(store: Store, repo: str, entry_points: EntryPoints) -> list[dict]:
    walks: dict[str, Walked] = {}
    for ep in entry_points.all:
        if ep["name"] not in walks:
            start = resolve(store, repo, ep["name"], entry_points)
            walks[ep["name"]] = walk(store, start.roots, entry_points, depth=None)
    return [_path(walks[ep["name"]], ep, entry_points) for ep in entry_points.all]


def _path(walked: Walked, ep: dict, entry_points: EntryPoints) -> dict:
    in_process = walked.reached(hops=False, depth=None)
    everything = walked.reached(hops=True, depth=None)
    hops = walked.hops_from(everything)
    children = walked.reached_from(sorted({h.dst for h in hops}), hops=True)
    return {
        "name": ep["name"], "kind": ep["kind"], "file": ep["file"], "line": ep["line"],
        "in_process": _footprint(walked, in_process),
        "hops": [_hop(walked, h, entry_points) for h in _by_place(walked, hops)],
        "in_subprocesses": _footprint(walked, children),
        "with_hops": _footprint(walked, everything),
    }


def _by_place(walked: Walked, hops: list[Step]) -> list[Step]:
    return sorted(hops, key=lambda h: (walked.info[h.src]["file"] or "", h.line, h.src,
                                       h.target))


def _hop(walked: Walked, hop: Step, entry_points: EntryPoints) -> dict:
    """Where the child process is started and what it runs: a module or an entry point."""
    source = walked.info[hop.src]
    if hop.target in entry_points.by_id:
        to, kind = entry_points.by_id[hop.target]["name"], "EntryPoint"
    else:
        to, kind = walked.info[hop.target]["name"], "Module"
    return {"from": source["name"], "file": source["file"] or "", "line": hop.line,
            "to": to, "to_kind": kind}


def _footprint(walked: Walked, nodes: set[str]) -> dict:
    """The modules of the functions run, each with those functions and the lines they add.

    Counted as `kg diagram path` counts its totals (kg.queries.totals): a nested
    function adds lines only when its container is not run.
    """
    modules = walked.by_module(nodes)
    return {"modules": [{"module": m.module, "functions": m.functions, "lines": m.lines}
                        for m in modules],
            "functions": sum(len(m.functions) for m in modules),
            "lines": sum(m.lines for m in modules)}
