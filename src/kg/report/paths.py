"""What each entry point runs: modules, functions and lines, in its own process and across
the subprocess hops it makes."""

from __future__ import annotations

from kg.report.reach import CodeGraph


def entry_point_paths(graph: CodeGraph) -> list[dict]:
    return [_path(graph, ep) for ep in graph.entry_points]


def _path(graph: CodeGraph, ep: dict) -> dict:
    in_process = graph.reach([ep["id"]], follow_spawns=False)
    everything = graph.reach([ep["id"]], follow_spawns=True)
    hops = graph.hops_from(everything)
    children = graph.reach(sorted({h["dst"] for h in hops}), follow_spawns=True)
    return {
        "name": ep["name"], "kind": ep["kind"], "file": ep["file"], "line": ep["line"],
        "in_process": _footprint(graph, in_process),
        "hops": [{"from": graph.name_of(h["src"]), "file": h["file"] or "", "line": h["line"],
                  "to": graph.name_of(h["dst"]),
                  "to_kind": "EntryPoint" if h["dst"] not in graph.modules else "Module"}
                 for h in hops],
        "in_subprocesses": _footprint(graph, children),
    }


def _footprint(graph: CodeGraph, reached: set[str]) -> dict:
    """The modules reached, each with its reached functions and their lines.

    A nested function's lines are already in its container's, so it adds
    lines only when its container is not reached.
    """
    modules: dict[str, dict] = {}
    for node in reached:
        module = graph.module_of(node)
        if module is None:
            continue
        entry = modules.setdefault(module, {"module": graph.modules[module]["name"],
                                            "functions": [], "lines": 0})
        if node in graph.functions:
            entry["functions"].append(graph.functions[node]["qualname"])
            if graph.nested_in.get(node) not in reached:
                entry["lines"] += graph.functions[node]["loc"]
    rows = sorted(modules.values(), key=lambda m: m["module"])
    for row in rows:
        row["functions"].sort()
    return {"modules": rows, "functions": sum(len(m["functions"]) for m in rows),
            "lines": sum(m["lines"] for m in rows)}
