import sys

from lab.timeseries import record


def main() -> None:
    record(sys.argv[1], [1.0, 2.0])
