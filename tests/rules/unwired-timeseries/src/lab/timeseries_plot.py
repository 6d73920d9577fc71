"""Plots of recorded series; only the tests use it."""  # ruleid: unwired-timeseries


# ruleid: unwired-timeseries
def plot(values: list[float]) -> str:
    return "*" * len(values)
