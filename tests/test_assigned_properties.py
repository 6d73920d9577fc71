"""Properties a class body makes by a call (`x = property(getx, setx, delx, doc)`, keywords,
`x = x.setter(f)`, `functools.cached_property(f)`): their accessors are called as a decorated
property's are, the name is no field, and assigning it on an instance leaves the getter in
charge of what reading it gives. Each idiom with the case that must NOT give the edge."""

from __future__ import annotations

from harness import load_code

CLASSES = """
    import functools


    class Sink:
        def write(self, text):
            return 0


    class Real:
        def write(self, text):
            return len(text)


    class Temp:
        def __init__(self):
            self._c = 0
            self.scale = "C"

        def _get(self):
            return self._c

        def _set(self, value):
            self._c = value

        def _drop(self):
            self._c = 0

        def _compute(self):
            return 1

        celsius = property(_get, _set, _drop, "degrees")
        kelvin = property(fget=_get, fset=_set)
        fahrenheit = property(_get)
        fahrenheit = fahrenheit.setter(_set)
        frozen = property(_get)
        lazy = functools.cached_property(_compute)
        shown = property(lambda self: self._c)
        plain = staticmethod(_compute)
        level = 3
    """


def calls_of(g, caller: str) -> set[str]:
    return {dst for src, dst in g.edges("CALLS") if src == caller}


def sites(g, marker: str) -> list[str]:
    rows = sorted(g.facts.nodes["CallSite"].values(), key=lambda r: (r["line"], r["id"]))
    return [r["callee_text"] for r in rows if marker in r["callee_text"]]


def test_reading_a_property_made_by_a_call_calls_its_getter(tmp_path):
    g = load_code(tmp_path, CLASSES + """

    def read(t: Temp):
        return t.celsius, t.kelvin, t.fahrenheit, t.frozen


    def lazy():
        return Temp().lazy


    def shown(t: Temp):
        return t.shown
    """)
    assert calls_of(g, "pkg.mod.read") == {"pkg.mod.Temp._get"}
    assert sites(g, ".fget") == ["t.celsius.fget", "t.kelvin.fget", "t.fahrenheit.fget",
                                 "t.frozen.fget", "Temp().lazy.fget", "t.shown.fget"]
    assert "pkg.mod.Temp._compute" in calls_of(g, "pkg.mod.lazy")
    assert calls_of(g, "pkg.mod.shown") == {"pkg.mod.Temp.<lambda1>"}
    site = next(r for r in g.facts.nodes["CallSite"].values()
                if r["callee_text"] == "t.celsius.fget")
    assert (site["resolved"], site["confidence"]) == ("inference", 1.0)
    assert {(e["resolved"], e["confidence"])
            for e in g.edge_props("CALLS", "pkg.mod.read", "pkg.mod.Temp._get")} \
        == {("inference", 1.0)}


def test_assigning_and_deleting_it_call_its_setter_and_deleter(tmp_path):
    g = load_code(tmp_path, CLASSES + """

    def write(t: Temp):
        t.celsius = 1
        t.kelvin = 2
        t.fahrenheit = 3


    def bump(t: Temp):
        t.celsius += 1


    def drop(t: Temp):
        del t.celsius
    """)
    assert calls_of(g, "pkg.mod.write") == {"pkg.mod.Temp._set"}
    assert calls_of(g, "pkg.mod.bump") == {"pkg.mod.Temp._get", "pkg.mod.Temp._set"}
    assert calls_of(g, "pkg.mod.drop") == {"pkg.mod.Temp._drop"}
    assert sites(g, ".fset") == ["t.celsius.fset", "t.kelvin.fset", "t.fahrenheit.fset",
                                 "t.celsius.fset"]


def test_no_accessor_it_lacks_no_call_on_the_class_and_none_for_plain_attributes(tmp_path):
    g = load_code(tmp_path, CLASSES + """

    def main(t: Temp):
        t.frozen = 1            # no setter: raises, calls nothing
        del t.kelvin            # no deleter
        t.lazy = 2              # a cached_property has no setter: it fills the instance
        t.scale = "K"
        t.level = 4
        return Temp.celsius, t.plain, t.level, t.scale
    """)
    assert calls_of(g, "pkg.mod.main") == set()
    assert sites(g, ".f") == []


def test_a_property_made_by_a_call_is_no_field_but_plain_class_attributes_are(tmp_path):
    g = load_code(tmp_path, CLASSES + """

    def main(t: Temp):
        t.celsius = 5
        return t.kelvin
    """)
    fields = {name.rsplit(".", 1)[-1] for name in g.names("Field")
              if name.startswith("pkg.mod.Temp.")}
    assert fields == {"_c", "scale", "plain", "level"}
    assert not [e for e in g.edges("SETS") | g.edges("READS") if e[0] == "pkg.mod.main"]


GETTER_IN_CHARGE = CLASSES + """

    class Console:
        def __init__(self):
            self._file = None
            self.file = Sink()

        def _get_file(self):
            return self._file or Real()

        def _set_file(self, value):
            self._file = value

        file = property(_get_file, _set_file)

        def show(self):
            return self.file.write("y")


    class Cached:
        def __init__(self):
            self.value = Sink()

        def _value(self):
            return Real()

        value = functools.cached_property(_value)

        def show(self):
            return self.value.write("z")


    def main():
        console = Console()
        console.file = Sink()
        return console.file.write("x")
    """


def test_assigning_it_on_an_instance_leaves_the_getter_in_charge(tmp_path):
    """`self.file = Sink()` runs the setter: reading `file` still runs the getter, which may
    give a Real; astroid's record of an instance attribute would leave Sink alone. A
    cached_property has no setter: the instance's attribute is what is read."""
    g = load_code(tmp_path, GETTER_IN_CHARGE)
    calls = g.edges("CALLS")
    assert ("pkg.mod.Console.show", "pkg.mod.Real.write") in calls
    assert ("pkg.mod.main", "pkg.mod.Real.write") in calls
    assert ("pkg.mod.Console.__init__", "pkg.mod.Console._set_file") in calls
    assert "pkg.mod.Console.file" not in g.names("Field")
    assert ("pkg.mod.Cached.show", "pkg.mod.Sink.write") in calls
    assert "pkg.mod.Cached.value" in g.names("Field")


def test_a_property_over_a_base_field_is_read_through_its_accessors_not_the_field(tmp_path):
    g = load_code(tmp_path, """
    class File:
        def __init__(self, name):
            self.name = name


    class Uploaded(File):
        def _get_name(self):
            return self._name

        def _set_name(self, value):
            self._name = value

        name = property(_get_name, _set_name)


    class Decorated(File):
        @property
        def name(self):
            return "d"


    class Local(File):
        pass


    def uploaded(u: Uploaded):
        u.name = "x"
        return u.name


    def decorated(d: Decorated):
        return d.name


    def local(f: Local):
        f.name = "y"
        return f.name
    """)
    accesses = g.edges("READS") | g.edges("SETS")
    assert {s for s, f in accesses if f == "pkg.mod.File.name"} \
        == {"pkg.mod.File.__init__", "pkg.mod.local"}
    assert {d for s, d in g.edges("CALLS") if s == "pkg.mod.uploaded"} \
        == {"pkg.mod.Uploaded._get_name", "pkg.mod.Uploaded._set_name"}
    assert {d for s, d in g.edges("CALLS") if s == "pkg.mod.decorated"} \
        == {"pkg.mod.Decorated.name"}


def test_a_decorated_getter_with_a_setter_assigned_after_it(tmp_path):
    g = load_code(tmp_path, """
    class Mixed:
        @property
        def x(self):
            return 1

        def _set_x(self, value):
            self._x = value

        x = x.setter(_set_x)


    def read(m: Mixed):
        return m.x


    def write(m: Mixed):
        m.x = 2
    """)
    assert {d for s, d in g.edges("CALLS") if s == "pkg.mod.read"} == {"pkg.mod.Mixed.x"}
    assert {d for s, d in g.edges("CALLS") if s == "pkg.mod.write"} == {"pkg.mod.Mixed._set_x"}
    assert "pkg.mod.Mixed.x" not in g.names("Field")
