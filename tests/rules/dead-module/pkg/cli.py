"""Has a main block: an entry point's module."""  # ok: dead-module

import importlib
import subprocess
import sys

from pkg import helpers, run
from pkg.sub.thing import THING


def main():
    subprocess.run([sys.executable, "-m", "pkg.worker"], check=True)
    plugin = importlib.import_module("pkg.plugin")
    return run() + helpers.help_() + THING + plugin.VALUE


if __name__ == "__main__":
    main()
