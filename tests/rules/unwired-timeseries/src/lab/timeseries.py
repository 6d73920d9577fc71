import json
from pathlib import Path


# ruleid: unwired-timeseries
def record(path: str, values: list[float]) -> None:
    Path(path).write_text(json.dumps(values))


# ruleid: unwired-timeseries
def load_series(path: str) -> list[float]:
    return json.loads(Path(path).read_text())


def resample(values: list[float]) -> list[float]:  # ruleid: unwired-timeseries
    return values[::2]
