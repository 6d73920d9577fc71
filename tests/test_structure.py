from harness import load_code


def test_modules_classes_functions_variables_and_contains(tmp_path):
    g = load_code(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/mod.py": '''
            """Doc."""
            LIMIT = 3
            name = "x"

            class A:
                def m(self):
                    def inner():
                        return 1
                    return inner()

            async def f(a, *args, b=1, **kw):
                if a and b:
                    return 1
                return 2
        ''',
    })
    assert g.names("Module") == {"pkg", "pkg.mod"}
    assert g.names("Class") == {"pkg.mod.A"}
    assert g.names("Function") == {"pkg.mod.A.m", "pkg.mod.A.m.inner", "pkg.mod.f"}
    assert g.names("Variable") == {"pkg.mod.LIMIT", "pkg.mod.name"}
    assert g.edges("CONTAINS") >= {
        ("pkg.mod", "pkg.mod.A"), ("pkg.mod.A", "pkg.mod.A.m"),
        ("pkg.mod.A.m", "pkg.mod.A.m.inner"), ("pkg.mod", "pkg.mod.f"),
        ("pkg.mod", "pkg.mod.LIMIT"),
    }
    f = g.node("Function", "pkg.mod.f")
    assert f["is_async"] and not f["is_method"]
    assert f["params"] == ["a", "*args", "b", "**kw"]
    assert f["complexity"] == 3
    assert (f["line"], f["end_line"], f["loc"]) == (11, 14, 4)
    assert g.node("Variable", "pkg.mod.LIMIT")["is_constant"]
    assert not g.node("Variable", "pkg.mod.name")["is_constant"]
    mod = g.node("Module", "pkg.mod")
    assert (mod["loc"], mod["sloc"], mod["is_package"]) == (14, 12, False)
    assert g.node("Module", "pkg")["is_package"]


def test_duplicate_definitions_get_distinct_ids(tmp_path):
    g = load_code(tmp_path, '''
        def f():
            pass

        def f():
            return 1
    ''')
    assert g.names("Function") == {"pkg.mod.f"}
    assert len(g.rows("Function")) == 2


def test_parse_error_is_a_module_and_the_rest_loads(tmp_path):
    g = load_code(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/good.py": "def ok():\n    pass\n",
        "pkg/bad.py": "def broken(:\n",
    })
    bad = g.node("Module", "pkg.bad")
    assert bad["parse_error"].startswith("line 1:")
    assert g.extraction.parse_errors == {"pkg/bad.py": bad["parse_error"]}
    assert "pkg.good.ok" in g.names("Function")


def test_names_injected_by_astroid_brains_are_not_variables(tmp_path):
    g = load_code(tmp_path, '''
        from dataclasses import dataclass, field

        @dataclass
        class A:
            x: list = field(default_factory=list)

        if True:
            FLAG = 1
    ''')
    assert g.names("Variable") == {"pkg.mod.FLAG"}
