"""Has a main block; a test imports it too."""  # ok: module-used-only-by-tests

import subprocess
import sys
from typing import TYPE_CHECKING

from pkg.api import call

if TYPE_CHECKING:
    from pkg.typed import Shape


def main(shape: "Shape | None" = None):
    subprocess.run([sys.executable, "-m", "pkg.worker"], check=True)
    return call()


if __name__ == "__main__":
    main()
