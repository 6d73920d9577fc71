import click

from tool.runner import Runner
from tool.steps import execute, load, prepare, save


@click.group()
def main() -> None:
    """Jobs and batches."""


@main.command()
@click.argument("name")
def run(name: str) -> None:  # ok: cli-runner-duplication
    click.echo(Runner(name).run_job())


# ruleid: cli-runner-duplication
@main.command()
@click.argument("names", nargs=-1)
def batch(names: tuple[str, ...]) -> None:
    lines = []
    for job in names:
        # ruleid: cli-runner-duplication
        cfg = load(job)
        todo = prepare(cfg)
        done = []
        for entry in todo:
            if entry % 2:
                done.append(execute(entry))
        lines.append(save(done, job))
    click.echo("\n".join(lines))


@main.command()
@click.argument("name")
def status(name: str) -> None:  # ok: cli-runner-duplication
    config = load(name)
    click.echo(f"{name}: {len(prepare(config))} items")
