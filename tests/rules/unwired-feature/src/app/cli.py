import json
from pathlib import Path

import click

from app import export


@click.command()
@click.argument("folder")
def main(folder: str) -> None:
    rows = [{"a": 1}]
    print(export.format_rows(rows))
    export.write_report(Path(folder), rows)
    export.write_cache(Path(folder), rows)
    with open(Path(folder, "cache.json")) as f:
        print(json.load(f))
