"""Printing results: tables for people, JSON and CSV for programs. Deterministic."""

from __future__ import annotations

import csv
import io
import json


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render(columns: list[str], rows: list[list], fmt: str) -> str:
    if fmt == "json":
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        return json.dumps(records, indent=2, sort_keys=False, ensure_ascii=False, default=str)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([cell(v) for v in row] for row in rows)
        return buffer.getvalue().rstrip("\n")
    # rich only for tables: the runs that print none start without it
    from rich.console import Console
    from rich.table import Table

    table = Table(show_edge=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(cell(v) for v in row))
    console = Console(file=io.StringIO(), width=160, color_system=None)
    console.print(table)
    console.print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return console.file.getvalue().rstrip("\n")
