"""Call sites and their resolution by inference; references, raises and catches."""

import pytest

from harness import load_code
from kg.loader.calls import call_stats
from kg.loader.calls_io import io_of, is_write_mode, normalise


def targets(g, site):
    """Readable targets of a call site named `callee_text@line`."""
    return {dst for src, dst in g.edges("RESOLVES_TO") if src == site}


def site(g, name):
    return g.node("CallSite", name)


def test_plain_function_call_site_properties_and_edges(tmp_path):
    g = load_code(tmp_path, '''
        def f(a, *args, **kw):
            return a

        def g(xs, opts):
            return f(1, *xs, key=2, **opts)
    ''')
    s = site(g, "f@5")
    assert (s["caller"], s["col"], s["args"], s["keywords"]) == ("pkg.mod.g", 11, 1, ["key"])
    assert s["star_args"] and s["star_kwargs"]
    assert (s["resolved"], s["confidence"]) == ("inference", 1.0)
    assert targets(g, "f@5") == {"pkg.mod.f"}
    assert ("pkg.mod.g", "f@5") in g.edges("CONTAINS")
    assert g.edge_props("CALLS", "pkg.mod.g", "pkg.mod.f") == [
        {"line": 5, "resolved": "inference", "confidence": 1.0}]
    assert g.edge_props("RESOLVES_TO", "f@5", "pkg.mod.f") == [
        {"resolved": "inference", "confidence": 1.0}]


def test_methods_through_the_inferred_receiver_type(tmp_path):
    g = load_code(tmp_path, '''
        class Helper:
            def run(self):
                pass

        class Base:
            def run(self):
                pass

        class Child(Base):
            def __init__(self):
                self.helper = Helper()

            def run(self):
                super().run()
                self.helper.run()
                self.done()

            def done(self):
                pass

            @classmethod
            def make(cls):
                return cls()

        class Unrelated:
            def done(self):
                pass

        def make_child():
            return Child()

        def main():
            make_child().run()
            Child.make().done()
    ''')
    assert targets(g, "super().run@14") == {"pkg.mod.Base.run"}
    assert targets(g, "self.helper.run@15") == {"pkg.mod.Helper.run"}
    assert targets(g, "self.done@16") == {"pkg.mod.Child.done"}
    assert targets(g, "make_child().run@33") == {"pkg.mod.Child.run"}
    assert targets(g, "Child.make().done@34") == {"pkg.mod.Child.done"}
    assert targets(g, "cls@23") == {"pkg.mod.Child", "pkg.mod.Child.__init__"}
    # a same-named method of an unrelated class is not a target when the type is known
    assert ("pkg.mod.Child.run", "pkg.mod.Unrelated.done") not in g.edges("CALLS")
    assert ("pkg.mod.main", "pkg.mod.Unrelated.done") not in g.edges("CALLS")
    assert ("pkg.mod.Child.run", "pkg.mod.Helper.run") in g.edges("CALLS")
    assert ("pkg.mod.Child.run", "pkg.mod.Child.run") not in g.edges("CALLS")


def test_constructors_call_the_class_and_the_init_that_runs(tmp_path):
    g = load_code(tmp_path, '''
        from dataclasses import dataclass

        class Base:
            def __init__(self):
                pass

        class Child(Base):
            pass

        class Own(Base):
            def __init__(self):
                super().__init__()

        @dataclass
        class Record:
            x: int

        class Failure(Exception):
            pass

        def build():
            Child()
            Own()
            Record(1)
            Failure("x")
    ''')
    assert targets(g, "Child@22") == {"pkg.mod.Child", "pkg.mod.Base.__init__"}
    assert targets(g, "Own@23") == {"pkg.mod.Own", "pkg.mod.Own.__init__"}
    assert targets(g, "Record@24") == {"pkg.mod.Record"}    # a generated __init__: no edge
    # an external base's __init__ runs (as PyCG names it), but never object's
    assert targets(g, "Failure@25") == {"pkg.mod.Failure", "builtins.Exception.__init__"}
    assert not {dst for _, dst in g.edges("CALLS")} & {"builtins.object.__init__",
                                                      "pkg.mod.Record.__init__"}
    assert site(g, "Child@22")["confidence"] == 1.0     # the class and its __init__ are one callee
    assert ("pkg.mod.build", "pkg.mod.Base.__init__") in g.edges("CALLS")
    assert ("pkg.mod.build", "pkg.mod.Own.__init__") in g.edges("CALLS")


def test_decorated_functions_resolve_to_themselves_and_to_the_wrapper_that_runs(tmp_path):
    g = load_code(tmp_path, '''
        import functools

        def logged(fn):
            @functools.wraps(fn)
            def wrapper(*a, **k):
                return fn(*a, **k)
            return wrapper

        def retry(times):
            def decorator(fn):
                def again():
                    return fn()
                return again
            return decorator

        def same(fn):
            return fn

        class Counted:
            def __init__(self, fn):
                self.fn = fn

            def __call__(self):
                return self.fn()

        @logged
        def work():
            pass

        @retry(3)
        def flaky():
            pass

        @same
        def plain():
            pass

        @Counted
        def counted():
            pass

        @functools.lru_cache(maxsize=None)
        def cached():
            pass

        def main():
            work()
            flaky()
            plain()
            counted()
            cached()
    ''')
    calls = g.edges("CALLS")
    # calling a decorated name runs what the decorator returned; that calls the function
    assert targets(g, "work@47") == {"pkg.mod.logged.wrapper"}
    assert site(g, "work@47")["confidence"] == 1.0
    assert ("pkg.mod.logged.wrapper", "pkg.mod.work") in calls
    assert ("pkg.mod.main", "pkg.mod.work") not in calls
    assert targets(g, "flaky@48") == {"pkg.mod.retry.decorator.again"}
    assert ("pkg.mod.retry.decorator.again", "pkg.mod.flaky") in calls
    assert targets(g, "plain@49") == {"pkg.mod.plain"}   # the decorator returns fn itself
    assert targets(g, "counted@50") == {"pkg.mod.Counted.__call__"}
    assert ("pkg.mod.Counted.__call__", "pkg.mod.counted") in calls
    assert targets(g, "cached@51") == {"pkg.mod.cached"}    # an external decorator
    assert ("pkg.mod.main", "pkg.mod.retry.decorator") not in calls
    references = g.edges("REFERENCES")
    assert ("pkg.mod", "pkg.mod.logged") in references
    # applied where the definitions are: what `retry(3)` returned, the decorator class's init
    assert ("pkg.mod", "pkg.mod.retry.decorator") in references
    assert ("pkg.mod", "pkg.mod.Counted.__init__") in references
    assert ("pkg.mod", "pkg.mod.same.fn") not in references


def test_partial_class_attribute_dict_and_list_callables(tmp_path):
    g = load_code(tmp_path, '''
        import functools

        def f(a, b=0):
            return a

        def g(a):
            return a

        def unused(a):
            return a

        HANDLERS = {"f": f, "g": g}
        STEPS = [f, g]

        class Job:
            handler = f

            def go(self):
                self.handler()

        def main(key, i):
            p = functools.partial(f, 1)
            p(2)
            HANDLERS[key](1)
            HANDLERS["g"](1)
            STEPS[i](1)
            HANDLERS.get(key)(1)
    ''')
    assert targets(g, "self.handler@19") == {"pkg.mod.f"}
    assert targets(g, "functools.partial@22") == {"functools.partial"}
    assert targets(g, "p@23") == {"pkg.mod.f"}
    assert targets(g, "HANDLERS[key]@24") == {"pkg.mod.f", "pkg.mod.g"}
    assert g.edge_props("RESOLVES_TO", "HANDLERS[key]@24", "pkg.mod.g") == [
        {"resolved": "inference", "confidence": 0.5}]
    assert targets(g, "HANDLERS['g']@25") == {"pkg.mod.g"}
    assert targets(g, "STEPS[i]@26") == {"pkg.mod.f", "pkg.mod.g"}
    assert targets(g, "HANDLERS.get(key)@27") == {"pkg.mod.f", "pkg.mod.g"}
    assert not {t for _, t in g.edges("CALLS") if t == "pkg.mod.unused"}
    assert ("pkg.mod.main", "pkg.mod.f") in g.edges("REFERENCES")    # partial(f, ...) uses f


def test_several_inferred_targets_are_all_kept(tmp_path):
    g = load_code(tmp_path, '''
        class A:
            def run(self):
                pass

        class B:
            def run(self):
                pass

        class C:
            def run(self):
                pass

        def main(flag):
            worker = A() if flag else B()
            worker.run()
    ''')
    assert targets(g, "worker.run@15") == {"pkg.mod.A.run", "pkg.mod.B.run"}
    s = site(g, "worker.run@15")
    assert (s["resolved"], s["confidence"]) == ("inference", 0.5)
    assert "pkg.mod.C.run" not in targets(g, "worker.run@15")


def test_annotated_receivers_resolve_by_their_declared_type(tmp_path):
    g = load_code(tmp_path, '''
        from dataclasses import dataclass

        class Store:
            def put(self):
                pass

        class Other:
            def put(self):
                pass

        @dataclass
        class Service:
            store: Store

            def save(self):
                self.store.put()

        class Holder:
            def __init__(self, store: Store):
                self.store = store

            @property
            def backend(self) -> Store:
                return self.store

            def save(self):
                self.store.put()
                self.backend.put()

        def save(store: Store | None, text: str):
            store.put()
            text.split()
    ''')
    assert targets(g, "self.store.put@16") == {"pkg.mod.Store.put"}
    assert targets(g, "self.store.put@27") == {"pkg.mod.Store.put"}
    assert targets(g, "self.backend.put@28") == {"pkg.mod.Store.put"}
    assert targets(g, "store.put@31") == {"pkg.mod.Store.put"}
    assert targets(g, "text.split@32") == {"builtins.str.split"}
    assert all(site(g, n)["resolved"] == "inference"
               for n in ("self.store.put@16", "store.put@31", "text.split@32"))


def test_name_fallback_only_when_inference_fails_and_prefers_the_same_module(tmp_path):
    g = load_code(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": '''
            def helper():
                pass

            class Tool:
                def polish(self):
                    pass

            def main(unknown):
                unknown.helper()
                unknown.polish()
                unknown.nothing_like_it()
                helper()
        ''',
        "pkg/b.py": '''
            def helper():
                pass
        ''',
    })
    fallback = site(g, "unknown.helper@9")
    assert fallback["resolved"] == "name" and 0 < fallback["confidence"] < 1
    assert targets(g, "unknown.helper@9") == {"pkg.a.helper"}       # not pkg.b.helper
    assert g.edge_props("CALLS", "pkg.a.main", "pkg.a.helper")[0]["resolved"] == "name"
    assert targets(g, "unknown.polish@10") == {"pkg.a.Tool.polish"}
    assert site(g, "helper@12")["resolved"] == "inference"
    unresolved = site(g, "unknown.nothing_like_it@11")
    assert (unresolved["resolved"], unresolved["confidence"]) == ("unresolved", 0.0)
    assert targets(g, "unknown.nothing_like_it@11") == set()
    assert ("pkg.a", "unknown.nothing_like_it@11") not in g.edges("CONTAINS")
    assert ("pkg.a.main", "unknown.nothing_like_it@11") in g.edges("CONTAINS")


def test_externals_carry_their_io(tmp_path):
    g = load_code(tmp_path, '''
        import json
        import os
        import shutil
        import subprocess
        from pathlib import Path

        import requests

        def main(data, fh):
            subprocess.run(["ls"])
            os.system("ls")
            Path("out").write_text("x")
            Path("in").read_text()
            open("out", "w")
            open("in")
            open("in", mode="rb")
            json.dump(data, fh)
            json.load(fh)
            shutil.copy("a", "b")
            os.makedirs("d")
            os.path.join("a", "b")
            requests.get("http://x")
            len(data)
    ''')
    io = {r["qualname"]: r["io"] for r in g.rows("External") if r.get("io") is not None}
    assert io["subprocess.run"] == "subprocess"
    assert io["os.system"] == "subprocess"
    assert io["pathlib.Path.write_text"] == "write"
    assert io["pathlib.Path.read_text"] == "read"
    assert io["builtins.open#write"] == "write"
    assert io["builtins.open"] == "read"
    assert io["json.dump"] == "write" and io["json.load"] == "read"
    assert io["shutil.copy"] == "write" and io["os.makedirs"] == "write"
    assert io["os.path.join"] == "" and io["builtins.len"] == ""
    # `requests.api.get` where requests is installed (inference), `requests.get` where it is not
    requests_get = {q: v for q, v in io.items() if q in ("requests.get", "requests.api.get")}
    assert requests_get and set(requests_get.values()) == {"network"}, requests_get
    assert targets(g, "open@14") == {"builtins.open#write"}
    assert targets(g, "open@15") == {"builtins.open"}
    assert targets(g, "open@16") == {"builtins.open"}
    assert targets(g, "Path('out').write_text@12") == {"pathlib.Path.write_text"}
    assert targets(g, "Path@12") == {"pathlib.Path"}       # the chained call is its own site


@pytest.mark.parametrize("qualname, io", [
    ("pandas.core.frame.DataFrame.to_csv", "write"),
    ("pandas.core.frame.DataFrame.to_parquet", "write"),
    ("pandas.io.parsers.readers.read_csv", "read"),
    ("pickle.dump", "write"),
    ("pathlib.PosixPath.write_bytes", "write"),
    ("os.execvp", "subprocess"),
    ("asyncio.subprocess.create_subprocess_exec", "subprocess"),
    ("socket.create_connection", "network"),
    ("urllib.request.urlopen", "network"),
    ("urllib.parse.urlparse", ""),
    ("subprocess.CalledProcessError", ""),
    ("requests.exceptions.HTTPError", ""),
    ("builtins.print", ""),
])
def test_io_table(qualname, io):
    assert io_of(qualname) == io


def test_qualnames_are_normalised_and_modes_read():
    assert normalise("posix.system") == "os.system"
    assert normalise("posixpath.join") == "os.path.join"
    assert normalise("_io.open") == "builtins.open"
    assert normalise("_pickle.dump") == "pickle.dump"
    assert normalise("mypkg.run") == "mypkg.run"
    assert is_write_mode("a") and is_write_mode("r+") and is_write_mode("w:gz")
    assert not is_write_mode("rb") and not is_write_mode("r:xz")


def test_references_values_decorators_annotations_and_not_bases_or_calls(tmp_path):
    g = load_code(tmp_path, '''
        import threading

        def task():
            pass

        def deco(fn):
            return fn

        class Base:
            pass

        class Model(Base):
            pass

        class Worker:
            def run(self):
                pass

            def start(self):
                threading.Thread(target=self.run)

        @deco
        def decorated(m: Model) -> Base:
            task()
            map(task, [])
            callbacks = [task]
            threading.Thread(target=task)
            return callbacks
    ''')
    refs = g.edges("REFERENCES")
    assert ("pkg.mod.Worker.start", "pkg.mod.Worker.run") in refs
    assert ("pkg.mod", "pkg.mod.deco") in refs
    assert g.edge_props("REFERENCES", "pkg.mod", "pkg.mod.deco") == [
        {"line": 22, "kind": "decorator", "in_annotation": False}]
    assert g.edge_props("REFERENCES", "pkg.mod.decorated", "pkg.mod.Model") == [
        {"line": 23, "kind": "annotation", "in_annotation": True}]
    assert ("pkg.mod.decorated", "pkg.mod.Base") in refs
    lines = sorted(p["line"] for p in g.edge_props("REFERENCES", "pkg.mod.decorated",
                                                     "pkg.mod.task"))
    assert lines == [25, 26, 27]            # map(task), [task], target=task; not the call at 24
    assert ("pkg.mod", "pkg.mod.Base") not in refs                  # a base class
    assert ("pkg.mod.Model", "pkg.mod.Base") not in refs
    assert ("pkg.mod.decorated", "pkg.mod.Worker") not in refs


def test_module_variables_read_elsewhere_are_references(tmp_path):
    g = load_code(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/config.py": '''
            LIMIT = 3
            unused = 1

            def local_read():
                return LIMIT
        ''',
        "pkg/use.py": '''
            from pkg import config
            from pkg.config import LIMIT

            def one():
                return LIMIT

            def two():
                return config.LIMIT

            def shadow(LIMIT):
                return LIMIT
        ''',
    })
    refs = g.edges("REFERENCES")
    assert {("pkg.config.local_read", "pkg.config.LIMIT"), ("pkg.use.one", "pkg.config.LIMIT"),
            ("pkg.use.two", "pkg.config.LIMIT")} <= refs
    assert g.edge_props("REFERENCES", "pkg.use.one", "pkg.config.LIMIT")[0]["kind"] == "value"
    assert ("pkg.use.shadow", "pkg.config.LIMIT") not in refs
    assert not {r for r in refs if r[1] == "pkg.config.unused"}


def test_raises_and_catches(tmp_path):
    g = load_code(tmp_path, '''
        class AppError(Exception):
            pass

        class Other(Exception):
            pass

        def fail(flag):
            try:
                if flag:
                    raise AppError("x")
                raise ValueError
            except (KeyError, AppError):
                raise
            except OSError as e:
                raise e

        def handler():
            err = Other()
            raise err
    ''')
    assert g.edges("RAISES") == {
        ("pkg.mod.fail", "pkg.mod.AppError"), ("pkg.mod.fail", "builtins.ValueError"),
        ("pkg.mod.fail", "builtins.OSError"), ("pkg.mod.handler", "pkg.mod.Other")}
    assert g.edges("CATCHES") == {
        ("pkg.mod.fail", "builtins.KeyError"), ("pkg.mod.fail", "pkg.mod.AppError"),
        ("pkg.mod.fail", "builtins.OSError")}
    assert g.edge_props("RAISES", "pkg.mod.fail", "pkg.mod.AppError") == [{"line": 10}]
    assert ("pkg.mod.fail", "pkg.mod.AppError") not in g.edges("REFERENCES")


def test_class_body_calls_belong_to_the_module_and_sit_in_the_class(tmp_path):
    g = load_code(tmp_path, '''
        def default():
            return 1

        class Settings:
            value = default()
    ''')
    assert ("pkg.mod", "pkg.mod.default") in g.edges("CALLS")
    assert ("pkg.mod.Settings", "default@5") in g.edges("CONTAINS")
    assert site(g, "default@5")["caller"] == "pkg.mod"


def test_pathological_code_keeps_its_call_sites(tmp_path):
    g = load_code(tmp_path, '''
        def a():
            return b()()

        def b():
            return a()

        x = x()
        getattr(object(), "name")()
    ''')
    assert {"b@2", "b()@2", "a@5", "x@7"} <= g.names("CallSite")
    assert site(g, "x@7")["resolved"] in ("unresolved", "name")


def test_call_stats(tmp_path):
    g = load_code(tmp_path, '''
        def f():
            pass

        def main(unknown):
            f()
            unknown.f()
            unknown.g()
            print()
    ''')
    assert call_stats(g.facts) == {
        "calls_total": 4, "calls_inferred": 2, "calls_by_name": 1, "calls_unresolved": 1,
        "local_calls": 2, "local_calls_inferred": 1}


def test_lambdas_are_functions_named_in_their_scope_and_own_their_calls(tmp_path):
    g = load_code(tmp_path, '''
        def work():
            pass

        def other():
            pass

        def setup():
            first = lambda: work()
            second = lambda: other()
            first()

        table = {"a": lambda: work()}
        unused = lambda: other()
    ''')
    calls = g.edges("CALLS")
    assert {"pkg.mod.setup.<lambda1>", "pkg.mod.setup.<lambda2>",
            "pkg.mod.<lambda1>", "pkg.mod.<lambda2>"} <= g.names("Function")
    assert g.node("Function", "pkg.mod.setup.<lambda1>")["is_lambda"] is True
    assert ("pkg.mod.setup", "pkg.mod.setup.<lambda1>") in calls
    assert ("pkg.mod.setup.<lambda1>", "pkg.mod.work") in calls
    assert ("pkg.mod.setup.<lambda2>", "pkg.mod.other") in calls
    # a lambda's body runs when the lambda is called, not where it is written
    assert ("pkg.mod.setup", "pkg.mod.work") not in calls
    assert ("pkg.mod.setup", "pkg.mod.setup.<lambda2>") not in calls     # never called
    assert ("pkg.mod", "pkg.mod.other") not in calls
    # its owner contains and references it, so it is never dead code by itself
    assert ("pkg.mod", "pkg.mod.<lambda2>") in g.edges("CONTAINS")
    assert ("pkg.mod", "pkg.mod.<lambda2>") in g.edges("REFERENCES")


def test_callables_flow_from_arguments_into_parameters(tmp_path):
    g = load_code(tmp_path, '''
        def hello():
            pass

        def bye():
            pass

        def unused():
            pass

        def run(fn, *more, **named):
            fn()
            for f in more:
                f()
            named["done"]()

        def outer(cb):
            run(cb)

        class Task:
            def __init__(self, callback):
                self.callback = callback

            def finish(self):
                self.callback()

        outer(hello)
        run(hello, bye, done=bye)
        Task(hello).finish()
        fn = unused
    ''')
    calls = g.edges("CALLS")
    assert {("pkg.mod.run", "pkg.mod.hello"), ("pkg.mod.run", "pkg.mod.bye"),
            ("pkg.mod.Task.finish", "pkg.mod.hello")} <= calls
    assert g.node("CallSite", "fn@11")["resolved"] == "inference"
    # no name matching for a parameter: a module-level `fn` elsewhere is not what runs
    assert not {dst for src, dst in calls if src == "pkg.mod.run"} & {"pkg.mod.unused"}
    assert ("pkg.mod.Task.finish", "pkg.mod.bye") not in calls


def test_self_and_super_calls_dispatch_over_the_constructed_classes(tmp_path):
    g = load_code(tmp_path, '''
        class A:
            def setup(self):
                pass

        class B(A):
            def setup(self):
                super().setup()

        class C(A):
            def setup(self):
                super().setup()

        class D(B, C):
            def setup(self):
                super().setup()

        class Report:
            def render(self):
                self.body()

            def body(self):
                pass

        class Html(Report):
            def body(self):
                pass

        D().setup()
        Html().render()
    ''')
    calls = g.edges("CALLS")
    assert {("pkg.mod.D.setup", "pkg.mod.B.setup"), ("pkg.mod.B.setup", "pkg.mod.C.setup"),
            ("pkg.mod.C.setup", "pkg.mod.A.setup"),
            ("pkg.mod.Report.render", "pkg.mod.Html.body")} <= calls
    # B's super() is C in a D, the only class constructed; Report itself never is
    assert ("pkg.mod.B.setup", "pkg.mod.A.setup") not in calls
    assert ("pkg.mod.Report.render", "pkg.mod.Report.body") not in calls


def test_containers_iteration_and_constant_keys(tmp_path):
    g = load_code(tmp_path, '''
        def a():
            pass

        def b():
            pass

        def c():
            pass

        def gen():
            yield c

        table = {"a": a, "b": b}
        table["c"] = c
        steps = []
        steps.append(b)

        def main():
            table.get("a")()
            table["c"]()
            for step in steps:
                step()
            for f in gen():
                f()
    ''')
    called = {dst for src, dst in g.edges("CALLS") if src == "pkg.mod.main"}
    assert {"pkg.mod.a", "pkg.mod.b", "pkg.mod.c"} <= called
    assert targets(g, "table.get('a')@19") == {"pkg.mod.a"}     # the key narrows the dict
    assert targets(g, "table['c']@20") == {"pkg.mod.c"}


def test_members_of_external_results_are_never_matched_by_name(tmp_path):
    g = load_code(tmp_path, '''
        def read(path):
            with open(path) as f:
                return f.read()
    ''')
    assert targets(g, "f.read@3") == {"io.TextIOWrapper.read"}
    assert ("pkg.mod.read", "pkg.mod.read") not in g.edges("CALLS")


def test_callables_handed_to_builtins_are_called_by_who_hands_them(tmp_path):
    g = load_code(tmp_path, '''
        def key(x):
            return x

        def never(x):
            return x

        def main(xs):
            return sorted(xs, key=key), map(str, xs), never
    ''')
    calls = g.edges("CALLS")
    assert ("pkg.mod.main", "pkg.mod.key") in calls
    assert g.edge_props("RESOLVES_TO", "sorted@8", "pkg.mod.key")[0]["resolved"] == "callback"
    assert ("pkg.mod.main", "pkg.mod.never") not in calls


def test_a_class_mro_is_worked_out_once_per_module_context():
    import astroid

    from kg.loader.context import ModuleContext, Project
    from kg.loader.resolve import mro_of

    module = astroid.parse("""
        class Base: pass
        class Left(Base): pass
        class Right(Base): pass
        class Both(Left, Right): pass
    """)
    both = module.body[-1]
    first, second = (ModuleContext(Project("r", {}), None) for _ in range(2))
    mro = mro_of(first, both)
    assert [k.name for k in mro] == ["Both", "Left", "Right", "Base", "object"]
    assert mro_of(first, both) is mro                   # asked again in the same module
    assert mro_of(second, both) is not mro              # another module works it out anew
    assert [k.name for k in mro_of(second, both)] == [k.name for k in mro]


def test_a_member_a_builtin_class_lacks_is_no_call_of_it(tmp_path):
    """`x.all()` where x can only be None raises at run time: no `builtins.NoneType.all`
    at full confidence (django: a property returning an attribute set to None in the class
    body), but the by-name guess an unresolved receiver gets. A member the class has is
    still named after it."""
    g = load_code(tmp_path, '''
        class QuerySet:
            def all(self):
                return []

        def none_receiver():
            x = None
            return x.all()

        def str_receiver(text: str):
            y = "a,b"
            return y.upper()
    ''')
    assert targets(g, "x.all@7") == {"pkg.mod.QuerySet.all"}
    assert site(g, "x.all@7")["resolved"] == "name"
    assert not [r for r in g.rows("External") if "NoneType" in r["qualname"]]
    assert targets(g, "y.upper@11") == {"builtins.str.upper"}
