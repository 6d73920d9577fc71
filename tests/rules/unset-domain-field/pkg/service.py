from dataclasses import replace

from pkg.domain.models import Run, SetOnlyInTests, Spec


def start(name: str, options: dict) -> str:
    run = Run(name, gpus=2, tag="t")
    again = replace(run, gpus=4)
    again.events.append("started")
    spec = Spec(title=name, **options)
    defaults = SetOnlyInTests(label=name)
    return f"{again.name} {again.gpus} {again.retries} {spec.title} {spec.owner} {defaults.label} {defaults.level}"


def bump(runs: dict) -> int:
    total = 0
    for run in runs.values():
        run.attempts += 1
        total += run.attempts
    return total
