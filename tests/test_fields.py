"""Fields (HAS_FIELD), their writes (SETS, by each `via`) and reads (READS), and Assignments."""

import sys

import pytest

from harness import FIXTURES, load, load_code


@pytest.fixture(autouse=True)
def without_libraries(monkeypatch):
    """As where kg usually runs: the target's libraries (pydantic) are not installed.

    Also keeps these tests fast: astroid would otherwise parse pydantic on every load.
    test_classes and the fixture test below cover the installed case.
    """
    monkeypatch.setattr(sys, "path", [p for p in sys.path if "-packages" not in p])

MODELS = '''
import dataclasses
from dataclasses import KW_ONLY, dataclass, field, replace
from typing import ClassVar, NamedTuple

from pydantic import BaseModel


class Model(BaseModel):
    model_config = {"frozen": False}
    a: int
    b: str = "x"
    limit: ClassVar[int] = 3


class Unrelated:
    def __init__(self, a, b=None):
        self.a = a
        self.b = b

    @classmethod
    def model_validate(cls, data):
        return cls(**data)

    def model_copy(self, update=None):
        return self


@dataclass
class Base:
    a: int
    b: int = 2


@dataclass
class Child(Base):
    c: int = 3
    a: int = 1


@dataclass
class Options:
    path: str
    _: KW_ONLY
    verbose: bool = False
    cache: dict = field(default_factory=dict, init=False)


class Pt(NamedTuple):
    x: int
    y: int = 0
'''


def sets(g):
    """{(source, field, via)} of every SETS edge."""
    return {(g.name_of(e.src_label, e.src), g.name_of(e.dst_label, e.dst), e.prop("via"))
            for e in g.facts.edges if e.type == "SETS"}


def load_with(tmp_path, code):
    return load_code(tmp_path, {"pkg/__init__.py": "", "pkg/models.py": MODELS,
                                "pkg/use.py": code})


def test_fields_declared_in_the_body_and_by_self_assignment(tmp_path):
    g = load_with(tmp_path, "")
    assert g.edges("HAS_FIELD") >= {
        ("pkg.models.Model", "pkg.models.Model.a"), ("pkg.models.Model", "pkg.models.Model.b"),
        ("pkg.models.Model", "pkg.models.Model.limit"),
        ("pkg.models.Unrelated", "pkg.models.Unrelated.a"),
    }
    b = g.node("Field", "pkg.models.Model.b")
    assert (b["annotation"], b["has_default"], b["default_value"], b["origin"], b["position"],
            b["is_classvar"]) == ("str", True, "'x'", "class_body", 2, False)
    a = g.node("Field", "pkg.models.Model.a")
    assert (a["has_default"], a["default_value"], a["position"]) == (False, None, 1)
    assert g.node("Field", "pkg.models.Model.limit")["is_classvar"]
    assert g.node("Field", "pkg.models.Model.model_config")["is_classvar"]
    self_a = g.node("Field", "pkg.models.Unrelated.a")
    assert (self_a["origin"], self_a["line"], self_a["has_default"]) == ("self_assign", 17, False)
    assert g.node("Field", "pkg.models.Options.cache")["has_default"]
    assert "pkg.models.Options._" not in g.names("Field")
    assert "pkg.models.Unrelated.model_validate" not in g.names("Field")   # methods are not


def test_self_assignment_declares_once_and_is_a_set(tmp_path):
    g = load_code(tmp_path, '''
        class Counter:
            total = 0

            def __init__(self, start):
                self.count = start
                self.items = []

            def bump(self):
                self.count += 1
                self.total = 5

        class Sub(Counter):
            def reset(self):
                self.count = 0
                self.extra = 1
    ''')
    fields = {r["qualname"]: r["origin"] for r in g.rows("Field")}
    assert fields == {
        "pkg.mod.Counter.total": "class_body", "pkg.mod.Counter.count": "self_assign",
        "pkg.mod.Counter.items": "self_assign", "pkg.mod.Sub.extra": "self_assign",
    }
    assert g.node("Field", "pkg.mod.Counter.items")["has_default"]
    assert sets(g) == {
        ("pkg.mod.Counter.__init__", "pkg.mod.Counter.count", "attribute"),
        ("pkg.mod.Counter.__init__", "pkg.mod.Counter.items", "attribute"),
        ("pkg.mod.Counter.bump", "pkg.mod.Counter.count", "attribute"),
        ("pkg.mod.Counter.bump", "pkg.mod.Counter.total", "attribute"),
        ("pkg.mod.Sub.reset", "pkg.mod.Counter.count", "attribute"),
        ("pkg.mod.Sub.reset", "pkg.mod.Sub.extra", "attribute"),
    }
    assert ("pkg.mod.Counter.bump", "pkg.mod.Counter.count") in g.edges("READS")   # +=


def test_constructor_keyword_through_inference_only(tmp_path):
    g = load_with(tmp_path, '''
        from pkg.models import Model, Unrelated
        from pkg import models

        Alias = Model

        def make():
            Model(a=1)
            Alias(b="y")
            models.Model(a=2)

        def other():
            Unrelated(a=1, b=2)      # a plain class: its __init__ sets, not the caller
            Missing(a=1)             # unresolved: nothing by name

        class Model:                 # the same name, another class: not pkg.models.Model
            pass

        def shadowed():
            Model(a=3)
    ''')
    assert {s for s in sets(g) if s[0].startswith("pkg.use")} == {
        ("pkg.use.make", "pkg.models.Model.a", "constructor keyword"),
        ("pkg.use.make", "pkg.models.Model.b", "constructor keyword"),
    }


def test_positional_arguments_follow_inherited_field_order(tmp_path):
    g = load_with(tmp_path, '''
        from pkg.models import Base, Child, Model, Options, Pt

        def build():
            Child(1, 2, 3)
            Options("p", True)
            Pt(1, 2)
            Model(1)             # pydantic takes no positional arguments
    ''')
    assert {s for s in sets(g) if s[0] == "pkg.use.build"} == {
        ("pkg.use.build", "pkg.models.Child.a", "positional"),      # redeclared, first place
        ("pkg.use.build", "pkg.models.Base.b", "positional"),
        ("pkg.use.build", "pkg.models.Child.c", "positional"),
        ("pkg.use.build", "pkg.models.Options.path", "positional"),  # verbose is keyword-only
        ("pkg.use.build", "pkg.models.Pt.x", "positional"),
        ("pkg.use.build", "pkg.models.Pt.y", "positional"),
    }


def test_attribute_writes_by_inferred_receiver_type(tmp_path):
    g = load_with(tmp_path, '''
        from pkg.models import Base, Unrelated

        def write(untyped):
            base = Base(1)
            base.b = 5
            base.b += 1
            other = Unrelated(1)
            other.b = 7              # Unrelated.b, not Base.b
            untyped.b = 9            # unknown type: nothing
    ''')
    writes = {s for s in sets(g) if s[0] == "pkg.use.write" and s[2] == "attribute"}
    assert writes == {
        ("pkg.use.write", "pkg.models.Base.b", "attribute"),
        ("pkg.use.write", "pkg.models.Unrelated.b", "attribute"),
    }
    lines = sorted(p["line"] for p in g.edge_props("SETS", "pkg.use.write", "pkg.models.Base.b")
                   if p["via"] == "attribute")
    assert lines == [5, 6]


def test_setattr_with_a_literal_name(tmp_path):
    g = load_with(tmp_path, '''
        from pkg.models import Base, Unrelated

        def write(name):
            base = Base(1)
            setattr(base, "b", 5)
            setattr(base, name, 5)           # unknown name: nothing
            setattr(Unrelated(1), "a", 1)    # Unrelated.a only
    ''')
    assert {s for s in sets(g) if s[2] == "setattr"} == {
        ("pkg.use.write", "pkg.models.Base.b", "setattr"),
        ("pkg.use.write", "pkg.models.Unrelated.a", "setattr"),
    }


def test_dict_unpacking_and_unknown_kwargs(tmp_path):
    g = load_with(tmp_path, '''
        from pkg.models import Model

        def literal():
            Model(**{"a": 1})

        def unknown(kw):
            Model(a=1, **kw)

        def partial(rest):
            Model(**{"a": 1, **rest})

        def known():
            Model(a=1, b="z")
    ''')
    assert {s for s in sets(g) if s[0].startswith("pkg.use")} == {
        ("pkg.use.literal", "pkg.models.Model.a", "dict unpacking"),
        ("pkg.use.unknown", "pkg.models.Model.a", "constructor keyword"),
        ("pkg.use.unknown", "pkg.models.Model.b", "unknown kwargs"),   # uncertain, not unset
        ("pkg.use.partial", "pkg.models.Model.a", "dict unpacking"),
        ("pkg.use.partial", "pkg.models.Model.b", "unknown kwargs"),
        ("pkg.use.known", "pkg.models.Model.a", "constructor keyword"),
        ("pkg.use.known", "pkg.models.Model.b", "constructor keyword"),
    }


def test_model_validate_and_model_copy_update(tmp_path):
    g = load_with(tmp_path, '''
        from pkg.models import Model, Unrelated

        def validate(data):
            Model.model_validate({"b": "q"})
            Model.model_validate(data)
            m = Model(b="r")
            m.model_copy(update={"a": 4})
            m.model_copy()
            Unrelated.model_validate({"a": 1})          # not pydantic: its own method
            Unrelated(1).model_copy(update={"a": 1})
    ''')
    assert {s for s in sets(g) if s[0] == "pkg.use.validate"} == {
        ("pkg.use.validate", "pkg.models.Model.b", "model_validate"),
        ("pkg.use.validate", "pkg.models.Model.a", "unknown kwargs"),
        ("pkg.use.validate", "pkg.models.Model.b", "unknown kwargs"),
        ("pkg.use.validate", "pkg.models.Model.a", "model_copy update"),
        ("pkg.use.validate", "pkg.models.Model.b", "constructor keyword"),
    }


def test_dataclasses_replace(tmp_path):
    g = load_with(tmp_path, '''
        import dataclasses
        from dataclasses import replace as swap
        from pkg.models import Base

        def replace(obj, **changes):
            return obj

        def change(text):
            base = Base(1)
            dataclasses.replace(base, b=3)
            swap(base, a=0)
            replace(base, b=4)         # a local function called replace: not a write
            text.replace("a", "b")
    ''')
    assert {s for s in sets(g) if s[0] == "pkg.use.change" and s[2] != "positional"} == {
        ("pkg.use.change", "pkg.models.Base.b", "dataclasses.replace"),
        ("pkg.use.change", "pkg.models.Base.a", "dataclasses.replace"),
    }


def test_class_body_defaults_are_not_sets(tmp_path):
    g = load_with(tmp_path, "")
    assert not {s for s in sets(g) if s[0].startswith("pkg.models.Model")}
    assert sets(g) == {
        ("pkg.models.Unrelated.__init__", "pkg.models.Unrelated.a", "attribute"),
        ("pkg.models.Unrelated.__init__", "pkg.models.Unrelated.b", "attribute"),
    }


def test_reads_by_inferred_receiver_and_getattr(tmp_path):
    g = load_with(tmp_path, '''
        from pkg.models import Base, Unrelated

        def read(untyped):
            base = Base(1)
            print(base.a, getattr(base, "b"))
            print(Unrelated(1).b, untyped.a)

        class Reader(Base):
            def total(self):
                return self.a + self.c_missing

            @classmethod
            def default_b(cls):
                return cls.b
    ''')
    assert {r for r in g.edges("READS") if r[0].startswith("pkg.use")} == {
        ("pkg.use.read", "pkg.models.Base.a"), ("pkg.use.read", "pkg.models.Base.b"),
        ("pkg.use.read", "pkg.models.Unrelated.b"), ("pkg.use.Reader.total", "pkg.models.Base.a"),
        ("pkg.use.Reader.default_b", "pkg.models.Base.b"),
    }


def test_assignment_nodes(tmp_path):
    g = load_code(tmp_path, '''
        LIMIT = 3

        def f(obj, table):
            x = 1
            obj.attr = "v"
            table["k"] = x
            x += 2
            a, b = 1, 2
            n: int = 4
            m: int
            s = {
                'é': 1,
            }
    ''')
    rows = {(r["target_text"], r["kind"], r["value_text"], r["line"], r["col"])
            for r in g.rows("Assignment")}
    assert rows == {
        ("LIMIT", "name", "3", 1, 0), ("x", "name", "1", 4, 4),
        ("obj.attr", "attribute", '"v"', 5, 4), ("table['k']", "subscript", "x", 6, 4),
        ("x", "augmented", "2", 7, 4), ("(a, b)", "name", "1, 2", 8, 4),
        ("n", "name", "4", 9, 4), ("s", "name", "{ 'é': 1, }", 11, 4),
    }
    assert ("pkg.mod.f", "obj.attr@5") in g.edges("CONTAINS")
    assert ("pkg.mod", "LIMIT@1") in g.edges("CONTAINS")


@pytest.mark.parametrize("installed", [False, True], ids=["bare", "with-libraries"])
def test_models_app_fixture_fields_set_and_never_set(installed, monkeypatch):
    if installed:
        monkeypatch.undo()
    g = load(FIXTURES / "models_app")
    certain = {}
    for _source, dst, via in sets(g):
        certain.setdefault(dst, set()).add(via)
    fields = g.names("Field")
    domain = {f for f in fields if f.startswith("models_app.domain.")}
    set_for_sure = {f for f in domain if certain.get(f, set()) - {"unknown kwargs"}}
    uncertain = {f for f in domain if certain.get(f) == {"unknown kwargs"}}
    never = domain - set_for_sure - uncertain
    assert set_for_sure == {
        "models_app.domain.user.User.name", "models_app.domain.user.User.email",
        "models_app.domain.user.User.active", "models_app.domain.user.User.tags",
        "models_app.domain.user.User.role",
        "models_app.domain.orders.Line.sku", "models_app.domain.orders.Line.qty",
        "models_app.domain.orders.Order.id", "models_app.domain.orders.Order.lines",
        "models_app.domain.orders.Order.note", "models_app.domain.orders.Order.status",
    }
    assert uncertain == {"models_app.domain.settings.Settings.url",
                         "models_app.domain.settings.Settings.debug"}
    assert never == {"models_app.domain.user.User.nickname",
                     "models_app.domain.orders.Order.discount",
                     "models_app.domain.orders.Line.price"}


def test_reads_and_writes_through_annotated_parameters(tmp_path):
    g = load_code(tmp_path, '''
        from dataclasses import dataclass

        @dataclass
        class Run:
            duration: float
            label: str = ""

        class Other:
            duration = 0.0

        def report(run: Run, other) -> float:
            run.label = "done"
            other.duration = 1.0
            return run.duration

        def maybe(run: "Run | None", other: Other):
            return other.duration
    ''')
    assert ("pkg.mod.report", "pkg.mod.Run.duration") in g.edges("READS")
    assert ("pkg.mod.report", "pkg.mod.Run.label") in g.edges("SETS")
    assert ("pkg.mod.report", "pkg.mod.Run.duration") not in g.edges("SETS")
    assert ("pkg.mod.maybe", "pkg.mod.Run.duration") not in g.edges("READS")
