def mean(values: list[float]) -> float:  # ok: unwired-timeseries
    return sum(values) / len(values)
