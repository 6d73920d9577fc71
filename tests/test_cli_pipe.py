"""`kg ... | head`: when what reads kg's output stops reading, kg stops quietly with the
status of a Unix tool killed by SIGPIPE (141), not a traceback calling it a bug in kg."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# A command wrapped as kg's commands are, printing far more than a pipe holds.
WRITER = textwrap.dedent("""
    import click
    from kg.cli.errors import reported

    @reported
    def summary():
        for n in range(200_000):
            click.echo(f"line {n} of a long summary")

    summary()
""")


def test_a_reader_that_stops_early_ends_kg_quietly_with_141():
    child = subprocess.Popen([sys.executable, "-c", WRITER], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    assert child.stdout.readline() == b"line 0 of a long summary\n"
    child.stdout.close()
    stderr = child.stderr.read().decode()
    assert child.wait(timeout=60) == 141
    assert stderr == ""


def test_a_real_load_piped_into_a_reader_that_closes_is_still_stored(tmp_path):
    """The load's summary cannot be printed, but the graph was written before it."""
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "a.py").write_text("def f():\n    return 1\n")
    store = str(tmp_path / "store")
    child = subprocess.Popen([sys.executable, "-m", "kg", "load", str(root), "-q", "--store",
                              store, "--timings"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    child.stdout.close()            # nothing reads the summary
    stderr = child.stderr.read().decode()
    assert child.wait(timeout=120) == 141, stderr
    assert "Traceback" not in stderr
    listed = subprocess.run([sys.executable, "-m", "kg", "query",
                             "MATCH (f:Function) RETURN f.qualname", "--store", store,
                             "--format", "csv"], capture_output=True, text=True, timeout=120)
    assert listed.stdout.splitlines() == ["f.qualname", "pkg.a.f"]
