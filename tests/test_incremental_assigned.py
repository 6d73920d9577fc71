"""Incremental loads where an object arrives through another module's assignment.

`holder.registry.service = Value()` in wire.py puts a Value where every module
holding `holder` finds it, without importing wire.py or values.py. What such a
reader infers therefore depends on values.py through wire.py: an edit of Value's
methods must send the reader (and whoever infers through the reader) back to be
extracted, although neither imports values.py.
"""

from __future__ import annotations

import pytest

from harness import write_package
from kg import api
from test_incremental import REPO, assert_equal_to_full, edit

PACKAGE = {
    "app/__init__.py": "",
    "app/holder.py": """
        class Holder:
            pass


        registry = Holder()
        """,
    "app/values.py": """
        class Result:
            def finish(self):
                return 1


        class Other:
            def finish(self):
                return 2


        class Value:
            def make(self):
                return Result()


        def build():
            return Value()
        """,
    "app/wire.py": """
        from app import holder
        from app.values import build

        holder.registry.service = build()
        holder.registry.label = "service"
        """,
    "app/reader.py": """
        from app import holder


        def run():
            return holder.registry.service.make().finish()


        def service_of():
            return holder.registry.service
        """,
    "app/user.py": """
        from app.reader import service_of


        def go():
            return service_of().make().finish()
        """,
    "app/bystander.py": """
        def unrelated():
            return len([])
        """,
}

EDITS = {
    # what a method of the assigned object returns: no name changes anywhere
    "returned value": lambda src: edit(src / "app/values.py", "return Result()",
                                       "return Other()"),
    # what the assigning module's call returns: the object itself is another class
    "assigned value": lambda src: edit(src / "app/values.py", "    return Value()",
                                       "    return Other()"),
}


def _loaded(tmp_path):
    src = tmp_path / "src"
    write_package(src, PACKAGE)
    store = str(tmp_path / "store")
    api.load(src / "app", store=store, repo=REPO, full=True)
    return src, store


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_an_edit_reaching_a_reader_through_an_assigned_attribute_equals_a_full_load(
        tmp_path, kind):
    src, store = _loaded(tmp_path)
    EDITS[kind](src)
    summary = api.load(src / "app", store=store, repo=REPO)
    assert summary.incremental
    assert_equal_to_full(src / "app", store)


def test_an_edit_reaching_a_reader_leaves_modules_not_naming_the_attribute_alone(tmp_path):
    src, store = _loaded(tmp_path)
    EDITS["returned value"](src)
    summary = api.load(src / "app", store=store, repo=REPO)
    # values.py, wire.py (imports it), reader.py (reads `service`), user.py (imports the
    # reader), holder.py (the object's module): never bystander.py or __init__.py.
    assert summary.reextracted == 5
