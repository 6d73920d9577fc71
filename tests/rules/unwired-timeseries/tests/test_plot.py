from lab.timeseries_plot import plot


def test_plot():
    assert plot([1.0]) == "*"
