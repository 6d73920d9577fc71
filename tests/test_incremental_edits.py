"""Incremental loads after small edits of a multi-module package: each equals a full load.

Each case loads the package below into a fresh embedded store, applies one small
edit, loads again (incrementally) and compares the stored graph with a full
extraction of the edited tree, node for node and edge for edge. The edits are
the ones whose effect crosses modules: a module's facts depend on another
module it may not import directly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import write_package
from kg import api
from test_incremental import REPO, assert_equal_to_full, edit, reloaded_after_appending

PACKAGE = {
    "shop/__init__.py": """
        from shop.models import Order
        from shop.util import total

        __all__ = ["Order", "total"]
        """,
    "shop/factories.py": """
        def make_items():
            return []


        class Basket:
            def __init__(self):
                self.items = []
        """,
    "shop/bases.py": """
        class Base:
            def save(self):
                return 1

            def describe(self):
                return "base"


        class Other:
            def save(self):
                return 2

            def describe(self):
                return "other"
        """,
    "shop/decorators.py": """
        import functools


        def logged(func):
            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                return func(*args, **kwargs)
            return wrapper


        def traced(func):
            return func
        """,
    "shop/constants.py": """
        CREATE = "create"
        DELETE = "delete"
        LIMIT = 10
        """,
    "shop/models.py": """
        from dataclasses import dataclass, field

        from shop.bases import Base
        from shop.factories import make_items


        @dataclass
        class Order(Base):
            name: str = "order"
            items: list = field(default_factory=make_items)
        """,
    "shop/util.py": """
        from shop.constants import LIMIT


        def helper(values):
            return len(values)


        def total(values, limit=LIMIT):
            return helper(values) + limit
        """,
    "shop/service.py": """
        from shop.constants import CREATE, DELETE
        from shop.decorators import logged
        from shop.models import Order
        from shop.util import total


        def create():
            return Order()


        def delete():
            return None


        HANDLERS = {CREATE: create, DELETE: delete}


        def dispatch(action):
            return HANDLERS[action]()


        @logged
        def process(order):
            order.save()
            return total(order.items), order.describe()
        """,
    "shop/report.py": """
        class Report:
            def body(self):
                return 1

            def render(self):
                return self.body()

            def run(self):
                return self.handler()

            def heading(self):
                return self.title.upper()
        """,
    "shop/html.py": """
        from shop.report import Report
        from shop.util import helper, total


        class Plain:
            def body(self):
                return 2


        class Html(Plain):
            def __init__(self):
                self.handler = helper

            def body(self):
                return 3


        class Page(Report):
            def __init__(self):
                self.handler = helper


        def make():
            return Html(), Page()


        def local(values):
            return values


        HANDLERS = [local]
        HANDLER = next(iter(HANDLERS))


        class Card(Report):
            def __init__(self):
                self.handler = HANDLER

            def hook(self):
                self.handler = HOOK

            def plain(self):
                self.handler = local


        def wire_card():
            card = Card()
            card.handler = local
            return card


        def hooked(values):
            return values


        def setup(fn):
            global HOOK
            HOOK = fn
        """,
    "shop/geo.py": """
        from typing import NamedTuple


        class Point(NamedTuple):
            x: int
            y: int


        def origin():
            return Point(0, 0)
        """,
    "shop/plot.py": """
        from shop.geo import origin


        def left():
            return origin().x
        """,
    "shop/schema.py": """
        import attr
        from pydantic import BaseModel, Field

        from shop.factories import Basket, make_items


        class Cart(BaseModel):
            items: list = Field(default_factory=make_items)


        @attr.s
        class Bag:
            items = attr.ib(factory=Basket)
        """,
    "shop/checkout.py": """
        from shop.schema import Bag, Cart


        def checkout():
            return Cart().items, Bag().items
        """,
    "shop/patch.py": """
        from shop import util


        def fake(values):
            return 0


        def other(values):
            return 1


        util.helper = fake
        """,
    "shop/wiring.py": """
        from shop.html import Page, hooked, setup
        from shop.util import total


        def wire():
            setup(hooked)
            page = Page()
            page.handler = total
            page.title = "wired"
            return page
        """,
    "shop/box.py": """
        def getx(self):
            return 1


        class Box:
            def y(self):
                return 2
        """,
    "shop/holder.py": """
        class Holder:
            def show(self):
                return self.box.x, self.box.y
        """,
    "shop/fill.py": """
        from shop.box import Box
        from shop.holder import Holder


        def fill():
            holder = Holder()
            holder.box = Box()
            return holder
        """,
    "shop/cli.py": """
        import shop
        from shop import *


        def main():
            order = Order()
            return shop.total(order.items), total([1])
        """,
}

EDITS = {
    "body of a function called from another module": [
        ("shop/util.py", "return len(values)", "return sum(values)")],
    "a changed default value": [
        ("shop/util.py", "limit=LIMIT", "limit=3")],
    "a default factory in a third module": [
        ("shop/factories.py", "return []", "return Basket()")],
    "a default factory turned into a class": [
        ("shop/factories.py", "def make_items():\n    return []\n", ""),
        ("shop/factories.py", "class Basket:", "class make_items:")],
    "a decorator defined elsewhere": [
        ("shop/decorators.py", "def logged(func):", "def logged_old(func):"),
        ("shop/decorators.py", "def traced(func):", "def logged(func):")],
    "a base class in a third module": [
        ("shop/bases.py", "class Base:", "class Base(Other):"),
        ("shop/bases.py", "    def save(self):\n        return 1\n", "")],
    "a re-export removed from __init__": [
        ("shop/__init__.py", "from shop.util import total\n", ""),
        ("shop/__init__.py", ', "total"', "")],
    "a changed __all__": [
        ("shop/__init__.py", '__all__ = ["Order", "total"]', '__all__ = ["Order"]')],
    "a dispatch table key": [
        ("shop/constants.py", 'DELETE = "delete"', 'DELETE = "create"')],
    "a subclass's base changed in a module the base's module does not import": [
        ("shop/html.py", "class Html(Plain):", "class Html(Report):")],
    "a subclass's base removed": [
        ("shop/html.py", "class Page(Report):", "class Page:")],
    "an attribute a subclass assigns": [
        ("shop/html.py", "        self.handler = helper\n\n\ndef make",
         "        self.handler = total\n\n\ndef make")],
    "a statement inserted before an attribute a subclass assigns": [
        ("shop/html.py", "        self.handler = helper\n\n\ndef make",
         "        self.other = None\n        self.handler = total\n\n\ndef make")],
    "a NamedTuple of the same name and fields in another module": [
        ("shop/more_geo.py", None, "from typing import NamedTuple\n\n\n"
                                   "class Point(NamedTuple):\n    x: int\n    y: int\n")],
    "a class's __init__ run as a default factory": [
        ("shop/factories.py", "self.items = []", "self.items = make_items()")],
    "a module patching another's function": [
        ("shop/patch.py", "util.helper = fake", "util.helper = other")],
    "a module patching another's function, new": [
        ("shop/patch2.py", None, "from shop import util\n\n\ndef fake2(values):\n"
                                 "    return 0\n\n\nutil.total = fake2\n")],
    "a method turned into a property in a base of another module": [
        ("shop/bases.py", "    def describe(self):\n        return \"base\"",
         "    @property\n    def describe(self):\n        return \"base\"")],
    "__post_init__ added to a base in a third module": [
        ("shop/bases.py", "class Base:\n", "class Base:\n    def __post_init__(self):\n"
                                           "        return None\n\n")],
    "an instance attribute assigned from a module the class's does not import": [
        ("shop/wiring.py", "    page.handler = total",
         "    page.other = None\n    page.handler = total")],
    "a literal assigned from a module the class's does not import": [
        ("shop/wiring.py", 'page.title = "wired"', "page.title = 3")],
    "a module-level helper a subclass assigns, edited": [
        ("shop/html.py", "def local(values):\n    return values",
         "def local(values):\n    return len(values)")],
    "a module-level helper a subclass assigns, renamed": [
        ("shop/html.py", "def local(values):", "def renamed(values):"),
        ("shop/html.py", "HANDLERS = [local]", "HANDLERS = [renamed]"),
        ("shop/html.py", "        self.handler = local\n", "        self.handler = renamed\n"),
        ("shop/html.py", "    card.handler = local\n", "    card.handler = renamed\n")],
    "a module-level value a subclass assigns, changed": [
        ("shop/html.py", "HANDLER = next(iter(HANDLERS))", "HANDLER = local")],
    "a statement inserted before a subclass": [
        ("shop/html.py", "class Card(Report):", "def before():\n    return 0\n\n\nclass Card(Report):")],
    "a statement inserted before an assignment on a subclass's instance": [
        ("shop/html.py", "    card = Card()\n", "    card = Card()\n    card.other = None\n")],
    "a function inserted before one binding a global a subclass reads": [
        ("shop/html.py", "def setup(fn):", "def first():\n    return 0\n\n\ndef setup(fn):")],
    "a function appended after the subclasses": [
        ("shop/html.py", "    HOOK = fn\n", "    HOOK = fn\n\n\ndef appended():\n    return 1\n")],
    "a property made by a call, read where the class's module is not imported": [
        ("shop/box.py", "class Box:\n", "class Box:\n    x = property(getx)\n\n")],
    "a method turned into a property, read where its module is not imported": [
        ("shop/box.py", "    def y(self):", "    @property\n    def y(self):")],
    "a subclass in a new module": [
        ("shop/extra.py", None, "from shop.report import Report\n\n\nclass Extra(Report):\n"
                                "    pass\n\n\ndef make():\n    return Extra()\n")],
    "a module of subclasses deleted": [("shop/html.py", None, None)],
}


def _apply(root: Path, changes: list[tuple[str, str, str]]) -> None:
    """(file, old, new): replace old by new; (file, None, text): write; (file, None, None):
    delete."""
    for file, old, new in changes:
        if old is not None:
            edit(root / file, old, new)
        elif new is not None:
            (root / file).write_text(new)
        else:
            (root / file).unlink()


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_an_incremental_load_after_a_small_edit_equals_a_full_load(tmp_path, kind):
    root = write_package(tmp_path / "app", PACKAGE)
    store = str(tmp_path / "store")
    api.load(root, store=store, repo=REPO, jobs=1)
    _apply(root, EDITS[kind])
    summary = api.load(root, store=store, repo=REPO, jobs=1)
    assert summary.incremental
    assert_equal_to_full(root, store)


def test_an_edit_beside_a_literal_assigned_on_another_modules_object_reextracts_one_module(
        tmp_path):
    """`html.title = "styled"` in styling.py is recorded on Html: its readers (report.py
    names `title`) depend on its text and place, which an edit appended to styling.py leaves
    as they were. A value that is not a literal sends them back (the case above)."""
    styling = ("from shop.html import Html\n\n\ndef style():\n    html = Html()\n"
               "    html.title = \"styled\"\n    return html\n")
    root = write_package(tmp_path / "app", {**PACKAGE, "shop/styling.py": styling})
    store = str(tmp_path / "store")
    summary = reloaded_after_appending(root, store, "shop/styling.py",
                                       "\n\ndef unstyle():\n    return None\n")
    assert summary.incremental and summary.reextracted == 1
    assert_equal_to_full(root, store)
    _apply(root, [("shop/styling.py", "    html = Html()\n", "    html = Html()\n    html.x = 1\n")])
    moved = api.load(root, store=store, repo=REPO, jobs=1)
    assert moved.reextracted > 1            # the assignment's place changed: its readers too
    assert_equal_to_full(root, store)


LEAF = """\
from shop.report import Report


def local(values):
    return values


class Leaf(Report):
    def __init__(self):
        self.handler = local
"""


@pytest.mark.parametrize("edited, reextracted", [
    (LEAF + "\n\ndef appended():\n    return 1\n", 1),     # the subclass stays where it was
    (LEAF.replace("class Leaf", "def before():\n    return 0\n\n\nclass Leaf"), 2),   # it moves
], ids=["appended", "inserted before"])
def test_an_edit_of_a_subclass_module_reextracts_the_base_only_when_the_subclass_moves(
        tmp_path, edited, reextracted):
    """report.py's fragment keeps the value Leaf's `__init__` assigns to `self.handler`
    (Report.run calls it), located by its path in leaf.py's tree; nothing imports leaf.py.
    Only a move sends report.py back."""
    root = write_package(tmp_path / "app", {**PACKAGE, "shop/leaf.py": LEAF})
    store = str(tmp_path / "store")
    api.load(root, store=store, repo=REPO, jobs=1)
    (root / "shop/leaf.py").write_text(edited)
    summary = api.load(root, store=store, repo=REPO, jobs=1)
    assert summary.incremental and summary.reextracted == reextracted
    assert_equal_to_full(root, store)
