from harness import FIXTURES, load, load_code

WORKER = {
    "pkg/__init__.py": "",
    "pkg/worker.py": "if __name__ == '__main__':\n    pass\n",
    "pkg/tool/__init__.py": "",
    "pkg/tool/__main__.py": "",
    "pkg/plain/__init__.py": "",
}


def spawns(tmp_path, code: str, **files):
    g = load_code(tmp_path, {**WORKER, "pkg/mod.py": code, **files})
    return g, {(src.split("@")[1], dst) for src, dst in g.edges("SPAWNS")}


def command(g, line: int) -> str:
    found = [dict(e.props)["command"] for e in g.facts.edges
             if e.type == "SPAWNS" and g.facts.nodes["CallSite"][e.src]["line"] == line]
    assert len(found) == 1, found
    return found[0]


def test_module_runs_from_lists(tmp_path):
    g, edges = spawns(tmp_path, """
        import subprocess
        import subprocess as sp
        import sys
        from subprocess import check_call

        def go(n):
            subprocess.run([sys.executable, "-m", "pkg.worker", "--n", str(n)])
            sp.Popen([sys.executable, "-m"] + ["pkg.worker", n])
            cmd = [sys.executable, "-u", "-m", "pkg.worker"]
            cmd += ["--n", str(n)]
            check_call(cmd)
            subprocess.run(args=("python3", "-mpkg.tool"))
            subprocess.check_output([*LAUNCH, "pkg.worker"])

        LAUNCH = ["torchrun", "--nproc_per_node=8", "-m"]
    """)
    assert edges == {("7", "pkg.worker"), ("8", "pkg.worker"), ("11", "pkg.worker"),
                     ("12", "pkg.tool.__main__"), ("13", "pkg.worker")}
    assert command(g, 7) == "python -m pkg.worker --n {n}"
    assert command(g, 8) == "python -m pkg.worker {n}"
    assert command(g, 13) == "torchrun --nproc_per_node=8 -m pkg.worker"


def test_launchers_shell_strings_exec_and_asyncio(tmp_path):
    g, edges = spawns(tmp_path, """
        import asyncio
        import os
        import subprocess
        import sys

        async def go(n):
            subprocess.run(["accelerate", "launch", "--num_processes", "2", "-m", "pkg.worker"])
            os.system(f"{sys.executable} -m pkg.worker --n {n}")
            subprocess.run("uv run python -m pkg.worker", shell=True)
            await asyncio.create_subprocess_exec(sys.executable, "-m", "pkg.worker")
            await asyncio.create_subprocess_shell(" ".join(["python", "-m", "pkg.tool"]))
            os.execv(sys.executable, [sys.executable, "-m", "pkg.worker"])
            os.execl(sys.executable, "python", "-m", "pkg.worker")
    """)
    assert edges == {("7", "pkg.worker"), ("8", "pkg.worker"), ("9", "pkg.worker"),
                     ("10", "pkg.worker"), ("11", "pkg.tool.__main__"), ("12", "pkg.worker"),
                     ("13", "pkg.worker")}
    assert command(g, 8) == "python -m pkg.worker --n {n}"
    assert command(g, 7) == "accelerate launch --num_processes 2 -m pkg.worker"


def test_commands_that_do_not_run_the_project(tmp_path):
    _g, edges = spawns(tmp_path, """
        import subprocess
        import sys

        def run(argv):
            return argv

        def go(module, flag):
            subprocess.run([sys.executable, "-m", "json.tool"])
            subprocess.run([sys.executable, "-m", module])
            subprocess.run(input().split())
            subprocess.run(["git", "commit", "-m", "message"])
            subprocess.run([sys.executable, "-m", "pkg.plain"])
            cmd = [sys.executable, "-m", "pkg.worker"]
            if flag:
                cmd = [sys.executable, "-m", "pkg.other"]
            subprocess.run(cmd)
            run([sys.executable, "-m", "pkg.worker"])
    """)
    assert edges == set()


def test_console_script_commands(tmp_path):
    g, edges = spawns(tmp_path, """
        import os
        import subprocess

        def go(name):
            subprocess.run(["lem", "campaign", "run", name])
            subprocess.run(["/venv/bin/lem", "--help"])
            subprocess.run("uv run lem campaign", shell=True)
            os.system("lemon campaign")
            subprocess.run([name, "campaign"])
    """, **{
        "pyproject.toml": '[project.scripts]\nlem = "pkg.cli:app"\n',
        "pkg/cli.py": """
            import typer

            app = typer.Typer()
            campaign = typer.Typer()
            app.add_typer(campaign, name="campaign")

            @campaign.callback()
            def main():
                pass

            @campaign.command()
            def run():
                pass

            @app.command()
            def other():
                pass
        """,
    })
    assert edges == {("5", "lem campaign run"), ("6", "lem"), ("7", "lem campaign")}
    kinds = {e.dst.split(":")[2] for e in g.facts.edges if e.type == "SPAWNS"}
    assert kinds == {"cli_command", "console_script"}
    assert command(g, 5) == "lem campaign run {name}"


def test_typer_fixture_spawns():
    g = load(FIXTURES / "typer_app")
    assert g.edges("SPAWNS") == {
        ("subprocess.run@16", "lem experiment"),      # campaign run -> lem experiment NAME
        ("subprocess.run@23", "lem.launcher"),        # experiment -> python -m lem.launcher
    }
    spawned = [e for e in g.facts.edges if e.type == "SPAWNS" and e.dst_label == "Module"]
    assert dict(spawned[0].props)["command"] == (
        "python -m lem.launcher --name {name} --gpus {gpus}")


def test_annotated_variables_and_script_paths(tmp_path):
    g, edges = spawns(tmp_path, """
        import subprocess
        import sys

        def go():
            argv: list[str] = [sys.executable, "-m", "pkg.worker"]
            subprocess.run(argv)
            subprocess.run([sys.executable, "scripts/train.py", "--fast"])
            subprocess.run([sys.executable, "run.py"])
            subprocess.run([sys.executable, "missing.py"])
    """, **{"scripts/train.py": "", "scripts/run.py": "", "tools/run.py": ""})
    assert edges == {("6", "pkg.worker"), ("7", "scripts.train")}   # run.py is ambiguous
    assert command(g, 7) == "python scripts/train.py --fast"
