"""`kg diagram`: command paths, imports and classes drawn from the diagram_app fixture.

Every diagram is built on both stores and compared as DOT text with the snapshots in
tests/snapshots/diagram/ (KG_UPDATE_SNAPSHOTS=1 rewrites them). The fixture's command
`lab campaign` runs, in-process:

    cli.campaign (6 lines) -> campaign.run_campaign (3) -> config.load_config (4)
                                                        -> campaign.run_one (5) -> run_one.score (2, nested)
                           -> store.save_summary (3) -> store.summary_row (2)

and, through `python -m lab.worker`, worker.main (3) -> report.write_report (3) -> report.header (2).
"""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import STORES, fresh_store
from kg import api
from kg.cli.main import cli
from kg.diagram import dot, imports, render
from kg.diagram.model import Diagram, Edge, Node
from kg.errors import InputError
from kg.queries.totals import Totals
from neo4j_server import in_ci

FIXTURE = Path(__file__).parent / "fixtures" / "diagram_app"
SNAPSHOTS = Path(__file__).parent / "snapshots" / "diagram"
UPDATE = os.environ.get("KG_UPDATE_SNAPSHOTS") == "1"


@pytest.fixture(scope="module", params=STORES)
def lab(request, tmp_path_factory):
    """The diagram_app fixture loaded once per kind of store."""
    uri = fresh_store(request.param, tmp_path_factory.mktemp("diagram"))
    api.load(FIXTURE, store=uri, repo="diagram_app")
    return uri


def path(lab, entry, **options):
    return api.diagram_path(entry, store=lab, **options).diagram


def totals(lab, entry, **options):
    built = path(lab, entry, **options)
    return built.in_process, built.with_hops


def matches_snapshot(name: str, text: str) -> None:
    snapshot = SNAPSHOTS / f"{name}.dot"
    if UPDATE:
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(text)
    assert text == snapshot.read_text(), f"{snapshot} differs (KG_UPDATE_SNAPSHOTS=1 rewrites it)"


# --- totals ---------------------------------------------------------------------------------

def test_command_path_totals_in_process_and_with_hops(lab):
    assert totals(lab, "lab campaign") == (Totals(modules=4, functions=7, lines=23),
                                           Totals(modules=6, functions=10, lines=31))


def test_totals_line_printed_for_the_command_path(lab):
    assert path(lab, "lab campaign").totals_line() == (
        "modules 4, functions 7, lines 23 (in-process) / "
        "modules 6, functions 10, lines 31 (with subprocess hops)")


def test_a_command_without_hops_costs_the_same_both_ways(lab):
    assert totals(lab, "lab experiment") == (Totals(3, 4, 12), Totals(3, 4, 12))


def test_sinks_write_keeps_only_paths_to_file_writes(lab):
    built = path(lab, "lab campaign", sinks="write")
    assert (built.in_process, built.with_hops) == (Totals(2, 2, 9), Totals(4, 4, 15))
    for kept in ("Function:lab.store.save_summary", "External:pathlib.Path.write_text",
                 "Function:lab.report.write_report", "External:builtins.open#write"):
        assert f'"{kept}" [' in built.dot
    # functions and reads that lead to no write are left out
    for dropped in ("summary_row", "lab.report.header", "load_config", "json.load"):
        assert dropped not in built.dot


def test_sinks_subprocess_ends_at_the_process_started(lab):
    built = path(lab, "lab campaign", sinks="subprocess")
    assert (built.in_process, built.with_hops) == (Totals(1, 1, 6), Totals(1, 1, 6))
    assert '"External:subprocess.run" [' in built.dot
    assert "save_summary" not in built.dot


def test_to_a_symbol_only_reached_through_a_subprocess(lab):
    assert totals(lab, "lab campaign", to="lab.report.header") == (Totals(0, 0, 0),
                                                                   Totals(3, 4, 14))


def test_depth_bounds_the_calls_followed(lab):
    assert totals(lab, "lab campaign", depth=0) == (Totals(1, 1, 6), Totals(1, 1, 6))
    assert totals(lab, "lab campaign", depth=1) == (Totals(3, 3, 12), Totals(3, 3, 12))
    # depth 2: the hop (depth 1) lands on lab.worker's main block, which calls main
    assert totals(lab, "lab campaign", depth=2) == (Totals(4, 6, 23), Totals(5, 7, 26))


def test_a_function_as_the_entry(lab):
    assert totals(lab, "lab.store.save_summary") == (Totals(1, 2, 5), Totals(1, 2, 5))


def test_a_main_block_module_as_the_entry(lab):
    assert totals(lab, "lab.worker") == (Totals(2, 3, 8), Totals(2, 3, 8))


def test_unknown_entry_and_symbols_are_input_errors(lab):
    with pytest.raises(InputError, match="commands: lab, lab campaign, lab experiment"):
        path(lab, "lab nope")
    with pytest.raises(InputError, match="no function, class, module or I/O symbol"):
        path(lab, "lab campaign", to="lab.nowhere")
    with pytest.raises(InputError, match="is not reached from lab experiment"):
        path(lab, "lab experiment", to="lab.report.header")
    with pytest.raises(InputError, match="not both"):
        path(lab, "lab campaign", to="lab.report.header", sinks="write")


# --- what the path diagram draws -------------------------------------------------------------

def test_command_path_diagram_matches_its_snapshot(lab):
    matches_snapshot("path_lab_campaign", path(lab, "lab campaign").dot)


def test_sinks_write_diagram_matches_its_snapshot(lab):
    matches_snapshot("path_lab_campaign_sinks_write", path(lab, "lab campaign", sinks="write").dot)


def test_hops_are_drawn_distinctly_and_can_be_left_out(lab):
    hop = ('"Function:lab.cli.campaign" -> "Module:lab.worker" [style="bold,dashed"')
    with_hops = path(lab, "lab campaign").dot
    assert hop in with_hops
    assert "L17 subprocess\\npython -m lab.worker {config}" in with_hops
    without = path(lab, "lab campaign", hops=False)
    assert "Module:lab.worker" not in without.dot
    assert "write_report" not in without.dot
    assert without.with_hops == Totals(6, 10, 31)      # still counted


def test_functions_are_clustered_by_module_with_lines_and_call_lines(lab):
    text = path(lab, "lab campaign").dot
    assert 'subgraph "cluster_lab.store" {\n      label="lab.store\\n2 functions, 5 lines";' in text
    assert ('"Function:lab.cli.campaign" -> "Function:lab.store.save_summary" '
            '[color="#555555", label="L16"];') in text
    assert 'label="save_summary\\n3 lines"' in text


def test_over_the_node_budget_functions_merge_into_modules_then_packages(lab):
    modules = path(lab, "lab campaign", max_nodes=13)
    assert modules.collapsed == "modules"
    assert "collapsed to modules: 18 nodes are over the budget of 13" in modules.dot
    assert '"module:lab.campaign" [' in modules.dot
    assert 'label="lab.campaign\\n3 functions, 8 lines"' in modules.dot
    assert '"Function:' not in modules.dot
    packages = path(lab, "lab campaign", max_nodes=8)
    assert packages.collapsed == "packages of 1 dotted part"
    assert '"package:lab" [' in packages.dot and '"module:' not in packages.dot
    assert path(lab, "lab campaign").collapsed is None


# --- imports and classes ---------------------------------------------------------------------

def test_import_graph_highlights_the_cycle(lab):
    result = api.diagram_imports(store=lab)
    assert result.diagram.cycles == [["lab.config", "lab.defaults"]]
    assert result.lines == ["modules 9, import cycles 1", "cycle: lab.config <-> lab.defaults"]
    assert '"lab.config" -> "lab.defaults" [color="#b85450"' in result.dot
    assert '"lab.campaign" -> "lab.config" [color="#555555"' in result.dot   # not in the cycle
    matches_snapshot("imports", result.dot)


def test_import_graph_of_a_package_collapsed(lab):
    collapsed = api.diagram_imports(store=lab, collapse=1).diagram
    assert '"lab" [shape="folder"' in collapsed.dot
    assert collapsed.cycles == []
    only = api.diagram_imports(store=lab, package="lab.campaign").diagram
    assert only.modules == 1 and "lab.config" not in only.dot


def test_class_diagram_fields_set_and_never_set(lab):
    result = api.diagram_class("lab.models.Result", store=lab)
    assert (result.diagram.fields_set, result.diagram.fields_never_set) == (["name", "score"],
                                                                            ["note"])
    assert "note: str = ...   [NEVER SET]" in result.dot
    assert '"lab.models.Result" -> "lab.models.Record" [arrowhead="empty"' in result.dot
    matches_snapshot("class_result", result.dot)
    with pytest.raises(InputError, match="no class"):
        api.diagram_class("lab.models.Nope", store=lab)


def test_cycles_are_strongly_connected_components():
    edges = {("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e"), ("e", "d"), ("f", "a")}
    assert imports._cycles(list("abcdef"), edges) == [["a", "b", "c"], ["d", "e"]]
    assert imports._cycles(["a", "b"], {("a", "b")}) == []


# --- DOT and rendering ------------------------------------------------------------------------

def test_dot_quotes_labels_and_sorts_nodes_and_edges():
    diagram = Diagram(title=['say "hi"'], nodes=[Node("b", "x\\y", "function", "m"),
                                                 Node("a", 'q"t', "function", "m")],
                      edges=[Edge("b", "a", "L2", "call"), Edge("a", "b", "L1", "call")],
                      clusters={"m": "m"})
    text = dot.to_dot(diagram)
    assert 'label="say \\"hi\\"\\l"' in text
    assert 'label="x\\\\y"' in text and 'label="q\\"t"' in text
    assert text.index('"a" [') < text.index('"b" [')
    assert text.index('"a" -> "b"') < text.index('"b" -> "a"')
    assert dot.to_dot(diagram) == text


def _need_dot():
    if shutil.which("dot") is None:
        message = "Graphviz's dot is not installed (apt-get install graphviz)"
        if in_ci():
            pytest.fail(message + "; CI must render the diagrams")
        pytest.skip(message)


def test_command_path_renders_to_valid_svg_and_png(lab, tmp_path):
    _need_dot()
    svg, png = tmp_path / "campaign.svg", tmp_path / "campaign.png"
    for output in (svg, png):
        assert api.diagram_path("lab campaign", output=output, store=lab).written == [str(output)]
    root = ET.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"save_summary", "write_report", "pathlib.Path.write_text"} <= texts
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width > 200 and height > 200


def test_without_dot_the_dot_file_is_written_and_kg_exits_2(lab, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = CliRunner().invoke(cli, ["diagram", "path", "--from", "lab campaign", "-o",
                                      str(tmp_path / "c.svg"), "--store", lab])
    assert result.exit_code == 2
    assert "apt-get install graphviz" in result.output
    assert (tmp_path / "c.dot").read_text().startswith("digraph kg {")
    assert not (tmp_path / "c.svg").exists()


def test_unknown_output_suffix_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="must end in .dot, .svg, .png"):
        render.write("digraph {}", tmp_path / "x.pdf")


# --- command line -------------------------------------------------------------------------------

def test_cli_prints_the_totals_and_writes_the_file(lab, tmp_path):
    out = tmp_path / "campaign.dot"
    result = CliRunner().invoke(cli, ["diagram", "path", "--from", "lab campaign",
                                      "-o", str(out), "--store", lab])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "modules 4, functions 7, lines 23 (in-process) / "
        "modules 6, functions 10, lines 31 (with subprocess hops)",
        f"wrote {out}"]
    assert out.read_text() == (SNAPSHOTS / "path_lab_campaign.dot").read_text()


def test_cli_dot_to_stdout_and_usage_errors_exit_2(lab):
    runner = CliRunner()
    result = runner.invoke(cli, ["diagram", "imports", "--store", lab])
    assert result.exit_code == 0 and result.stdout.startswith("digraph kg {")
    both = runner.invoke(cli, ["diagram", "path", "--from", "lab campaign", "--to", "x",
                               "--sinks", "write", "--store", lab])
    assert both.exit_code == 2 and "not both" in both.output
    missing = runner.invoke(cli, ["diagram", "class", "lab.Nope", "--store", lab])
    assert missing.exit_code == 2
