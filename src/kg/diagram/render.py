"""Write a diagram's DOT to a file, and have Graphviz's `dot` draw SVG or PNG from it.

`dot` is a program, not a Python package: where it is missing the `.dot` file
is still written, and the error says how to install Graphviz (exit 2).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from kg.errors import InputError, KgError

FORMATS = (".dot", ".svg", ".png")
INSTALL_HINT = ("install Graphviz: `apt-get install graphviz` (Debian, Ubuntu), "
                "`brew install graphviz` (macOS), or see https://graphviz.org/download/")


class RendererMissing(KgError):
    """Graphviz's `dot` is not installed; the DOT text was written instead."""

    exit_code = 2


def write(dot_text: str, output: str | Path) -> list[Path]:
    """Write output (.dot, .svg or .png); return the files written."""
    output = Path(output)
    suffix = output.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"{output}: the output must end in {', '.join(FORMATS)}")
    if suffix == ".dot":
        output.write_text(dot_text, encoding="utf-8")
        return [output]
    program = shutil.which("dot")
    if program is None:
        fallback = output.with_suffix(".dot")
        fallback.write_text(dot_text, encoding="utf-8")
        raise RendererMissing(f"Graphviz's `dot` program is not installed, so {output} was "
                              f"not drawn; the diagram's DOT is in {fallback}. To draw it, "
                              f"{INSTALL_HINT}, then run `dot -T{suffix[1:]} {fallback} "
                              f"-o {output}`")
    done = subprocess.run([program, f"-T{suffix[1:]}", "-o", str(output)],
                          input=dot_text.encode("utf-8"), capture_output=True, check=False)
    if done.returncode != 0:
        raise KgError(f"dot could not draw {output}: "
                      f"{done.stderr.decode('utf-8', 'replace').strip()}")
    return [output]
