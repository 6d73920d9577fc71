"""Calls nobody writes as a call: property accessors, what constructing a class runs besides
`__init__` (`__new__`, a dataclass's `__post_init__` and default factories), builtins that
run a dunder of their argument, and methods of the results of known external functions.
Each idiom with the case that must NOT give the edge."""

from __future__ import annotations

from harness import load_code


def calls_of(g, caller: str) -> set[str]:
    return {dst for src, dst in g.edges("CALLS") if src == caller}


def sites(g, marker: str) -> list[str]:
    """The callee texts of the call sites whose text holds marker, with their lines' order."""
    rows = sorted(g.facts.nodes["CallSite"].values(), key=lambda r: (r["line"], r["id"]))
    return [r["callee_text"] for r in rows if marker in r["callee_text"]]


# -- properties --------------------------------------------------------------------------------

PROPERTIES = """
    class Circle:
        def __init__(self, r):
            self.r = r
            self.label = "c"

        @property
        def area(self):
            return self.r * self.r

        def square(self):
            return 1


    class Temp:
        def __init__(self):
            self._c = 0

        @property
        def celsius(self):
            return self._c

        @celsius.setter
        def celsius(self, value):
            self._c = value

        @celsius.deleter
        def celsius(self):
            self._c = 0
    """


def test_reading_a_property_calls_its_getter(tmp_path):
    g = load_code(tmp_path, PROPERTIES + """

    def read(c: Circle):
        return c.area


    def main():
        return Circle(2).area
    """)
    assert "pkg.mod.Circle.area" in calls_of(g, "pkg.mod.main")
    assert "pkg.mod.Circle.area" in calls_of(g, "pkg.mod.read")      # through the annotation
    assert sites(g, ".fget") == ["c.area.fget", "Circle(2).area.fget"]


def test_a_plain_attribute_a_method_or_a_property_of_the_class_calls_nothing(tmp_path):
    g = load_code(tmp_path, PROPERTIES + """

    def main():
        c = Circle(2)
        method = c.square
        prop = Circle.area
        return c.label, c.r, method, prop
    """)
    assert calls_of(g, "pkg.mod.main") == {"pkg.mod.Circle", "pkg.mod.Circle.__init__"}
    assert sites(g, ".fget") == []


def test_assigning_and_deleting_a_property_call_its_setter_and_deleter(tmp_path):
    g = load_code(tmp_path, PROPERTIES + """

    def set_it(t: Temp):
        t.celsius = 5


    def bump(t: Temp):
        t.celsius += 1


    def drop(t: Temp):
        del t.celsius
    """)
    assert sorted(sites(g, ".f")) == ["t.celsius.fdel", "t.celsius.fget", "t.celsius.fset",
                                      "t.celsius.fset"]
    # getter, setter and deleter share the qualname; each site resolves to its own function
    resolved = {e.src: e.dst for e in g.facts.edges if e.type == "RESOLVES_TO"
                and ".f" in (g.facts.nodes["CallSite"][e.src]["callee_text"])}
    assert len(set(resolved.values())) == 3
    for caller in ("pkg.mod.set_it", "pkg.mod.bump", "pkg.mod.drop"):
        assert calls_of(g, caller) == {"pkg.mod.Temp.celsius"}


def test_assigning_a_plain_attribute_or_a_property_without_setter_calls_nothing(tmp_path):
    g = load_code(tmp_path, PROPERTIES + """

    def main(c: Circle, t: Temp):
        c.label = "d"
        c.area = 3
        t._c = 1
    """)
    assert calls_of(g, "pkg.mod.main") == set()


# -- construction ------------------------------------------------------------------------------

def test_constructing_runs_new_post_init_and_default_factories(tmp_path):
    g = load_code(tmp_path, """
        from dataclasses import dataclass, field


        def new_tags():
            return []


        def check(value):
            return value


        class Singleton:
            def __new__(cls):
                return super().__new__(cls)

            def __init__(self):
                pass


        @dataclass
        class Base:
            tags: list = field(default_factory=new_tags)


        @dataclass
        class Order(Base):
            amount: int = 0
            names: list = field(default_factory=list)

            def __post_init__(self):
                check(self.amount)


        def main():
            Singleton()
            Order(3)
        """)
    assert calls_of(g, "pkg.mod.main") >= {
        "pkg.mod.Singleton.__new__", "pkg.mod.Singleton.__init__", "pkg.mod.new_tags",
        "pkg.mod.Order.__post_init__"}
    # an external factory (`list`) is not code anyone reads
    assert "list" not in {dst.rsplit(".", 1)[-1] for dst in calls_of(g, "pkg.mod.main")}


def test_no_post_init_without_a_generated_init_and_no_new_but_the_loaded_codes(tmp_path):
    g = load_code(tmp_path, """
        from dataclasses import dataclass


        class Plain:
            def __post_init__(self):
                pass


        @dataclass
        class Written:
            amount: int

            def __init__(self, amount):
                self.amount = amount

            def __post_init__(self):
                pass


        @dataclass(init=False)
        class NoInit:
            amount: int = 0

            def __post_init__(self):
                pass


        class Ordinary:
            pass


        def main():
            Plain()
            Written(1)
            NoInit()
            Ordinary()
        """)
    called = calls_of(g, "pkg.mod.main")
    assert "pkg.mod.Written.__init__" in called
    assert not {c for c in called if c.endswith(("__post_init__", "__new__"))}


# -- builtins that run a dunder ----------------------------------------------------------------

DUNDERS = """
    class Queue:
        def __len__(self):
            return 0

        def __str__(self):
            return "q"

        def __iter__(self):
            return self

        def __next__(self):
            raise StopIteration


    class Problem(Exception):
        def __str__(self):
            return "problem"


    class Bare:
        pass
    """


def test_builtins_run_the_dunder_of_their_argument(tmp_path):
    g = load_code(tmp_path, DUNDERS + """

    def main():
        q = Queue()
        it = iter(q)
        try:
            raise Problem()
        except Problem as p:
            text = str(p)
        return len(q), str(q), next(it), text, next(iter(Queue()), None)
    """)
    called = calls_of(g, "pkg.mod.main")
    assert {"pkg.mod.Queue.__len__", "pkg.mod.Queue.__str__", "pkg.mod.Queue.__iter__",
            "pkg.mod.Queue.__next__", "pkg.mod.Problem.__str__"} <= called
    assert {"len", "str", "iter", "next"} <= {c.rsplit(".", 1)[-1] for c in called}
    assert sites(g, "__len__") == ["q.__len__"]


def test_no_dunder_call_when_the_class_does_not_define_it_or_the_form_runs_none(tmp_path):
    g = load_code(tmp_path, DUNDERS + """

    def main(data: bytes):
        b = Bare()
        e = ValueError("x")
        return len(b), str(b), str(e), str(data, "utf-8"), iter(Queue, None), len([1])
    """)
    called = calls_of(g, "pkg.mod.main")
    assert not {c for c in called if c.startswith("pkg.mod.") and "__" in c}
    assert sites(g, ".__") == []


# -- text: __str__, __repr__, __format__ -------------------------------------------------------

TEXTS = """
    class Both:
        def __str__(self):
            return "both"

        def __repr__(self):
            return "Both()"


    class OnlyRepr:
        def __repr__(self):
            return "OnlyRepr()"


    class Child(OnlyRepr):
        pass


    class Neither:
        pass


    class Failure(Exception):
        def __repr__(self):
            return "Failure()"


    class Formatted(OnlyRepr):
        def __format__(self, spec):
            return "formatted"
    """


def test_turning_an_instance_into_text_runs_its_str_repr_or_format(tmp_path):
    g = load_code(tmp_path, TEXTS + """

    def as_str(b: Both):
        return str(b), f"{b}", format(b), "%s" % b, "%s and %d" % (b, 1), print(b, end="")


    def as_repr(b: Both):
        return repr(b), f"{b!r}", "%r" % (b,), ascii(b)


    def formatted(x: Formatted):
        return f"{x}", f"{x:>10}", format(x, "x"), str(x)
    """)
    assert calls_of(g, "pkg.mod.as_str") >= {"pkg.mod.Both.__str__"}
    assert "pkg.mod.Both.__repr__" not in calls_of(g, "pkg.mod.as_str")
    assert "pkg.mod.Both.__str__" not in calls_of(g, "pkg.mod.as_repr")
    assert "pkg.mod.Both.__repr__" in calls_of(g, "pkg.mod.as_repr")
    assert {c for c in calls_of(g, "pkg.mod.formatted") if "__" in c} \
        == {"pkg.mod.Formatted.__format__", "pkg.mod.OnlyRepr.__repr__"}
    assert sites(g, "b.__") == ["b.__str__", "b.__format__", "b.__format__", "b.__str__",
                                "b.__str__", "b.__str__", "b.__repr__", "b.__repr__",
                                "b.__repr__", "b.__repr__"]


def test_a_class_without_str_runs_its_repr_along_the_mro_never_objects(tmp_path):
    g = load_code(tmp_path, TEXTS + """

    def only_repr(o: OnlyRepr, c: Child):
        return str(o), f"{c}", format(o, ""), "%s" % c, print(o)


    def neither(n: Neither):
        return str(n), f"{n}", repr(n), "%s %r" % (n, n), print(n)


    def failure(e: Failure):
        return str(e), f"{e}"


    def spec(o: OnlyRepr):
        return f"{o:>10}", format(o, "x")
    """)
    assert {c for c in calls_of(g, "pkg.mod.only_repr") if "__" in c} \
        == {"pkg.mod.OnlyRepr.__repr__"}
    assert sites(g, "o.__") == ["o.__str__", "o.__format__", "o.__str__"]
    assert sites(g, "c.__") == ["c.__format__", "c.__str__"]
    # object's own dunders are not the loaded code's; Exception.__str__ calls no __repr__;
    # object's __format__ with a format spec raises rather than calling str()
    for caller in ("neither", "failure", "spec"):
        assert not {c for c in calls_of(g, f"pkg.mod.{caller}") if "__" in c}, caller
    assert sites(g, "n.__") == sites(g, "e.__") == []


# -- results of external functions -------------------------------------------------------------

def test_methods_of_what_known_external_functions_return(tmp_path):
    g = load_code(tmp_path, """
        import os
        import re


        def main():
            pattern = re.compile("a+")
            pattern.match("aaa")
            parts = "a b".split(" ")
            parts.append("c")
            here = os.getcwd()
            here.unknown_member()
        """)
    called = calls_of(g, "pkg.mod.main")
    assert {"re.Pattern.match", "builtins.list.append"} <= called
    # a function whose result type kg does not know: no member guessed
    assert not {c for c in called if c.endswith("unknown_member")}


# -- operators ---------------------------------------------------------------------------------

VECTORS = """
    class Vec:
        def __add__(self, other):
            return Vec()

        def __mul__(self, other):
            return Vec()

        def __rmul__(self, other):
            return Vec()

        def __neg__(self):
            return Vec()

        def __bool__(self):
            return True
    """


def test_arithmetic_on_an_instance_runs_the_dunder_of_its_result(tmp_path):
    g = load_code(tmp_path, VECTORS + """

    def main():
        v = Vec()
        w = Vec()
        return 2 * v + w, (v * w) + v, -v + w
    """)
    assert "pkg.mod.Vec.__add__" in calls_of(g, "pkg.mod.main")
    # `2 * v` is a Vec (its __rmul__), so the sum runs Vec.__add__ on it; the site's text
    # is written out for the operands that run a dunder of the loaded code only
    assert sites(g, "__add__") == ["2 * v.__add__", "v * w.__add__", "-v.__add__"]
    assert sites(g, "__mul__") == ["v.__mul__"]
    assert sites(g, "__neg__") == ["v.__neg__"]


def test_arithmetic_on_literals_and_builtins_runs_no_dunder_of_the_loaded_code(tmp_path):
    g = load_code(tmp_path, VECTORS + """

    def main(n: int):
        v = Vec()
        text = "%s" % n
        return (1 + 2) + 3, (n * 2) + 1, [1] * 3 + [2], (not v) + 1, text, -(n - 1) + 1
    """)
    assert not {c for c in calls_of(g, "pkg.mod.main") if c.startswith("pkg.mod.Vec.")}
    assert sites(g, ".__") == []


def test_an_augmented_assignment_names_the_in_place_dunder_and_runs_the_plain_one(tmp_path):
    g = load_code(tmp_path, VECTORS + """

    def main():
        total = Vec()
        total += Vec()
        return total
    """)
    assert "pkg.mod.Vec.__add__" in calls_of(g, "pkg.mod.main")
    assert sites(g, "__iadd__") == ["total.__iadd__"]
