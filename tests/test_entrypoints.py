from harness import FIXTURES, load, load_code, write_package
from kg import api
from kg.queries import open_store


def entry_points(g) -> set[tuple[str, str]]:
    return {(r["kind"], r["name"]) for r in g.rows("EntryPoint")}


def enters(g, kind: str, name: str) -> set[str]:
    ep = f"t:EntryPoint:{kind}:{name}"
    return {g.name_of(e.dst_label, e.dst) for e in g.facts.edges
            if e.type == "ENTERS" and e.src == ep}


TYPER_FUNCTIONS = {
    "lem.cli.main", "lem.cli.experiment", "lem.cli.show_status", "lem.campaign.campaign",
    "lem.campaign.run_campaign", "lem.campaign.list_all", "lem.tools.doctor"}


def test_typer_fixture_entry_points():
    g = load(FIXTURES / "typer_app")
    assert entry_points(g) == {
        ("console_script", "lem"),
        ("cli_command", "lem"),                       # the app's callback
        ("cli_command", "lem campaign"),              # the sub-app's callback
        ("cli_command", "lem campaign run"),          # @app.command("run")
        ("cli_command", "lem campaign list-all"),     # list_all -> list-all
        ("cli_command", "lem experiment"),
        ("cli_command", "lem status"),                # app.command("status")(show_status)
        ("cli_command", "lem doctor"),                # add_typer without a name merges
        ("main_block", "lem.launcher"),
        ("module_exec", "python -m lem"),
    }
    assert enters(g, "console_script", "lem") == TYPER_FUNCTIONS
    assert enters(g, "cli_command", "lem campaign run") == {"lem.campaign.run_campaign"}
    assert enters(g, "cli_command", "lem status") == {"lem.cli.show_status"}
    assert enters(g, "cli_command", "lem") == {"lem.cli.main"}
    assert enters(g, "main_block", "lem.launcher") == {"lem.launcher", "lem.launcher.main"}
    # __main__.py calls app(): the module and every command it can reach
    assert enters(g, "module_exec", "python -m lem") == TYPER_FUNCTIONS | {"lem.__main__"}
    script = g.facts.nodes["EntryPoint"]["t:EntryPoint:console_script:lem"]
    assert (script["target"], script["source"], script["line"]) == (
        "lem.cli:app", "pyproject.toml [project.scripts]", 6)
    command = g.facts.nodes["EntryPoint"]["t:EntryPoint:cli_command:lem campaign run"]
    assert (command["target"], command["file"], command["line"]) == (
        "lem.campaign.run_campaign", "src/lem/campaign.py", 13)


def test_console_scripts_are_found_above_a_loaded_package():
    g = load(FIXTURES / "typer_app" / "src" / "lem")
    script = g.facts.nodes["EntryPoint"]["t:EntryPoint:console_script:lem"]
    assert script["file"] == "../../pyproject.toml"
    assert ("cli_command", "lem campaign run") in entry_points(g)


def test_click_fixture_entry_points():
    g = load(FIXTURES / "click_app")
    assert entry_points(g) == {
        ("console_script", "tool"), ("console_script", "clicky-report"),
        ("cli_command", "tool"),
        ("cli_command", "tool init-data"),            # click drops the _command suffix
        ("cli_command", "tool sync"),
        ("cli_command", "tool remote"), ("cli_command", "tool remote add"),
        ("cli_command", "tool db"),                   # add_command of db_group: `db`
        ("cli_command", "tool db migrate"),           # migrate_cmd -> migrate
        ("cli_command", "tool solo"),                 # add_command(standalone, name="solo")
        ("cli_command", "report"),                    # a root nobody names: its own name
        ("cli_command", "orphan"),
        ("main_block", "clicky.cli"),
    }
    assert enters(g, "console_script", "clicky-report") == {"clicky.report.main"}
    assert enters(g, "cli_command", "tool db migrate") == {"clicky.db.migrate_cmd"}
    assert enters(g, "console_script", "tool") == {
        "clicky.cli.cli", "clicky.cli.init_data_command", "clicky.cli.do_sync",
        "clicky.cli.remote", "clicky.cli.remote_add", "clicky.cli.standalone",
        "clicky.db.db_group", "clicky.db.migrate_cmd"}
    assert enters(g, "main_block", "clicky.cli") == enters(g, "console_script", "tool") | {
        "clicky.cli"}
    script = g.facts.nodes["EntryPoint"]["t:EntryPoint:console_script:tool"]
    assert script["source"] == "setup.cfg [options.entry_points] console_scripts"


def test_poetry_scripts_and_a_plain_function_target(tmp_path):
    g = load_code(tmp_path, {
        "pyproject.toml": """
            [tool.poetry.scripts]
            run-it = "pkg.main:run"
            other = { reference = "pkg.main:Runner.go", type = "console" }
            elsewhere = "not_here.cli:main"
        """,
        "pkg/__init__.py": "",
        "pkg/main.py": """
            def run():
                pass

            class Runner:
                def go(self):
                    pass
        """,
    })
    assert entry_points(g) == {("console_script", "run-it"), ("console_script", "other")}
    assert enters(g, "console_script", "run-it") == {"pkg.main.run"}
    assert enters(g, "console_script", "other") == {"pkg.main.Runner.go"}


def test_console_script_through_a_reexport(tmp_path):
    g = load_code(tmp_path, {
        "pyproject.toml": '[project.scripts]\ntool = "pkg:main"\n',
        "pkg/__init__.py": "from pkg.cli import main\n",
        "pkg/cli.py": "def main():\n    pass\n",
    })
    assert enters(g, "console_script", "tool") == {"pkg.cli.main"}


def test_typer_naming_rules(tmp_path):
    g = load_code(tmp_path, {
        "pyproject.toml": '[project.scripts]\none = "pkg.single:app"\nmany = "pkg.many:cli"\n',
        "pkg/__init__.py": "",
        "pkg/single.py": """
            import typer

            app = typer.Typer()

            @app.command()
            def only_command():
                pass
        """,
        "pkg/many.py": """
            from typer import Typer
            import typer as t

            cli = Typer()
            sub = t.Typer(name="named-sub")
            cli.add_typer(sub)

            @cli.command(name="explicit")
            def first_thing():
                pass

            @cli.command()
            def second_thing_command():
                pass

            @sub.command()
            def deep():
                pass
        """,
    })
    assert entry_points(g) == {
        ("console_script", "one"), ("console_script", "many"),
        ("cli_command", "one"),                       # a lone command is the app itself
        ("cli_command", "many explicit"),
        ("cli_command", "many second-thing-command"),  # typer keeps suffixes
        ("cli_command", "many named-sub deep"),
    }
    assert enters(g, "cli_command", "one") == {"pkg.single.only_command"}


def test_main_blocks(tmp_path):
    g = load_code(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/tool.py": """
            import sys
            import typer

            def main():
                return 0

            def helper():
                pass

            def later():
                pass

            if __name__ == "__main__":
                print("start")
                sys.exit(main())
        """,
        "pkg/typed.py": """
            import typer

            def main(name: str):
                pass

            if "__main__" == __name__:
                typer.run(main)
        """,
        "pkg/not_main.py": """
            def main():
                pass

            if __name__ != "__main__":
                main()
        """,
    })
    assert entry_points(g) == {("main_block", "pkg.tool"), ("main_block", "pkg.typed")}
    assert enters(g, "main_block", "pkg.tool") == {"pkg.tool", "pkg.tool.main"}
    assert enters(g, "main_block", "pkg.typed") == {"pkg.typed", "pkg.typed.main"}


def test_dunder_main_of_a_package(tmp_path):
    g = load_code(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/app.py": "def run():\n    pass\n",
        "pkg/__main__.py": "from pkg.app import run\n\nrun()\n",
    })
    assert entry_points(g) == {("module_exec", "python -m pkg")}
    assert enters(g, "module_exec", "python -m pkg") == {"pkg.__main__", "pkg.app.run"}


def test_command_decorators_of_other_objects_are_not_commands(tmp_path):
    g = load_code(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/bot.py": """
            class Router:
                def command(self, name=None):
                    return lambda f: f

            router = Router()

            @router.command("hello")
            def hello():
                pass

            router.command("bye")(hello)
        """,
    })
    assert entry_points(g) == set()
    assert g.edges("ENTERS") == set()


def test_setup_cfg_two_levels_above_a_loaded_package(tmp_path):
    root = write_package(tmp_path / "proj", {
        "setup.cfg": "[options.entry_points]\nconsole_scripts =\n    x = pkg.m:f\n",
        "src/pkg/__init__.py": "",
        "src/pkg/m.py": "def f():\n    pass\n",
    })
    g = load(root / "src" / "pkg")
    assert enters(g, "console_script", "x") == {"pkg.m.f"}


def test_roots_without_a_console_script_are_named_after_themselves(tmp_path):
    g = load_code(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/cli.py": """
            import click
            import typer

            @click.group()
            def main_group():
                pass

            @main_group.command()
            def go():
                pass

            app = typer.Typer()

            @app.command()
            def one():
                pass

            @app.command()
            def two():
                pass

            if __name__ == "__main__":
                main_group()
        """,
    })
    assert entry_points(g) == {
        ("cli_command", "main"), ("cli_command", "main go"),
        ("cli_command", "app one"), ("cli_command", "app two"),
        ("main_block", "pkg.cli"),
    }
    assert enters(g, "main_block", "pkg.cli") == {
        "pkg.cli", "pkg.cli.main_group", "pkg.cli.go"}


TOOL_FILES = {
    "setup.py": "from setuptools import setup\n\nsetup(name='x')\n",
    "tools/setup.py": "from setuptools import setup\n\nsetup(name='tools')\n",
    "noxfile.py": """
        import nox

        @nox.session
        def tests(session):
            session.run("pytest")

        @nox.session(python=["3.11"])
        def lint(session):
            session.run("ruff")

        def helper():
            pass
        """,
    "fabfile.py": """
        from fabric import task

        @task
        def deploy(c):
            c.run("make")
        """,
    "docs/conf.py": "project = 'x'\n\n\ndef setup(app):\n    pass\n\n\ndef other():\n    pass\n",
    "conf.py": "def setup(app):\n    pass\n",                 # not in a docs folder
    "pkg/__init__.py": "",
    "pkg/setup.py": "def configure():\n    pass\n",           # a package's module
    "pkg/noxfile.py": "",
}


def test_files_a_tool_runs_by_name_are_entry_points(tmp_path):
    g = load_code(tmp_path, TOOL_FILES)
    runs = {name for kind, name in entry_points(g) if kind == "tool_run"}
    assert runs == {"setuptools setup.py", "setuptools tools/setup.py", "nox noxfile.py",
                    "fabric fabfile.py", "sphinx docs/conf.py"}
    assert enters(g, "tool_run", "setuptools tools/setup.py") == {"tools.setup"}
    assert enters(g, "tool_run", "nox noxfile.py") == {"noxfile", "noxfile.tests",
                                                        "noxfile.lint"}
    assert enters(g, "tool_run", "fabric fabfile.py") == {"fabfile", "fabfile.deploy"}
    assert enters(g, "tool_run", "sphinx docs/conf.py") == {"docs.conf", "docs.conf.setup"}


def test_files_a_tool_runs_are_not_dead_modules(tmp_path):
    root = write_package(tmp_path / "src", TOOL_FILES)
    store = str(tmp_path / "store")
    api.load(root, store=store, repo="t", jobs=1)
    report = api.audit(store=store, repo="t", select=("dead-module",))
    dead = {f.columns["symbol"] for f in report.findings}
    assert dead == {"conf", "pkg", "pkg.setup", "pkg.noxfile"}


def test_a_folder_that_becomes_a_package_stops_its_setup_py_being_a_tool_run(tmp_path):
    """Decided project-wide at every load: the file itself does not change."""
    root = write_package(tmp_path / "src", TOOL_FILES)
    store = str(tmp_path / "store")
    api.load(root, store=store, repo="t", jobs=1)
    (root / "tools" / "__init__.py").write_text("")
    again = api.load(root, store=store, repo="t", jobs=1)
    assert again.incremental
    with open_store(store) as graph:
        names = {row[0] for row in graph.query(
            "MATCH (e:EntryPoint {kind: 'tool_run'}) RETURN e.name").rows}
    assert "setuptools tools/setup.py" not in names and "setuptools setup.py" in names


DJANGO_SITE = {
    "manage.py": "import os\n\nif __name__ == '__main__':\n    os.environ['X'] = 'y'\n",
    "mysite/__init__.py": "",
    "mysite/settings.py": "ROOT_URLCONF = 'mysite.urls'\nINSTALLED_APPS = ['shop']\n",
    "mysite/urls.py": "from django.urls import include, path\n\nurlpatterns = []\n",
    "mysite/wsgi.py": "from django.core.wsgi import get_wsgi_application\n\n"
                      "application = get_wsgi_application()\n",
    "shop/__init__.py": "",
    "shop/apps.py": "from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n"
                    "    name = 'shop'\n",
    "shop/models.py": "from django.db import models\n\n\nclass Item(models.Model):\n"
                      "    name = models.CharField(max_length=10)\n",
    "shop/admin.py": "from django.contrib import admin\n\nfrom shop.models import Item\n\n"
                     "admin.site.register(Item)\n",
    "shop/migrations/__init__.py": "",
    "shop/migrations/0001_initial.py": "from django.db import migrations\n\n\n"
                                       "class Migration(migrations.Migration):\n"
                                       "    operations = []\n",
    "shop/templatetags/__init__.py": "",
    "shop/templatetags/shop_tags.py": "def money(value):\n    return value\n",
    "shop/management/__init__.py": "",
    "shop/management/commands/__init__.py": "",
    "shop/management/commands/restock.py": "from django.core.management.base import BaseCommand"
                                           "\n\n\nclass Command(BaseCommand):\n    pass\n",
    "shop/leftover.py": "def old():\n    return 1\n",
}


def test_modules_django_finds_by_convention_are_entry_points_in_code_that_uses_it(tmp_path):
    root = write_package(tmp_path / "site", DJANGO_SITE)
    store = str(tmp_path / "store")
    api.load(root, store=store, repo="t", jobs=1)
    report = api.audit(store=store, repo="t", select=("dead-module",))
    assert {f.columns["symbol"] for f in report.findings} == {"shop.leftover"}
    with open_store(store) as graph:
        django = {row[0] for row in graph.query(
            "MATCH (e:EntryPoint {kind: 'tool_run'}) WHERE e.name STARTS WITH 'django ' "
            "RETURN e.target").rows}
    assert django == {"mysite.settings", "mysite.urls", "mysite.wsgi", "shop.apps",
                      "shop.models", "shop.admin", "shop.migrations.0001_initial",
                      "shop.templatetags.shop_tags", "shop.management.commands.restock"}


def test_the_same_module_names_without_django_are_not_entry_points(tmp_path):
    files = {rel: text.replace("django", "framework") for rel, text in DJANGO_SITE.items()}
    g = load(write_package(tmp_path / "site", files))
    assert not {name for kind, name in entry_points(g) if kind == "tool_run"}
