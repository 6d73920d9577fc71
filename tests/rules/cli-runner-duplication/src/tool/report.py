import click

from tool.cli import main


def _table(rows: list[tuple[str, int]]) -> list[str]:
    # ruleid: cli-runner-duplication
    width = max(len(name) for name, _ in rows)
    header = "name".ljust(width) + " | count"
    lines = [header, "-" * len(header)]
    for name, count in rows:
        lines.append(name.ljust(width) + f" | {count}")
    total = sum(count for _, count in rows)
    lines.append(f"total: {total}")
    return lines


@main.command()
@click.argument("names", nargs=-1)
def report(names: tuple[str, ...]) -> None:
    rows = [(name, len(name)) for name in names]
    width = max(len(name) for name, _ in rows)
    header = "name".ljust(width) + " | count"
    lines = [header, "-" * len(header)]
    for name, count in rows:
        lines.append(name.ljust(width) + f" | {count}")
    total = sum(count for _, count in rows)
    lines.append(f"total: {total}")
    click.echo("\n".join(lines))


@main.command()
@click.argument("names", nargs=-1)
def summary(names: tuple[str, ...]) -> None:  # ok: cli-runner-duplication
    click.echo("\n".join(_table([(name, len(name)) for name in names])))
