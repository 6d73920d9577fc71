import json
from pathlib import Path


def format_rows(rows: list[dict]) -> str:  # ok: unwired-feature
    return ", ".join(str(r) for r in rows)


# ruleid: unwired-feature
def write_report(folder: Path, rows: list[dict]) -> None:
    Path(folder, "report.txt").write_text(format_rows(rows))


def write_cache(folder: Path, rows: list[dict]) -> None:  # ok: unwired-feature
    with open(Path(folder, "cache.json"), "w") as f:
        json.dump(rows, f)


# ruleid: unwired-feature
def export_legacy(rows: list[dict]) -> str:
    return repr(rows)


# ruleid: unwired-feature
def export_preview(rows: list[dict]) -> str:
    return format_rows(rows[:3])
