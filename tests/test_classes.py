"""Class kinds, abstractness and INHERITS, from decorators and (inferred or imported) bases."""

import sys

from harness import load_code

KINDS = '''
import abc
import dataclasses
import enum
import typing
from collections import namedtuple
from dataclasses import dataclass
from enum import IntEnum, StrEnum, Flag
from typing import NamedTuple, Protocol, TypedDict

import attr
import attrs
from attrs import define, frozen, mutable
from pydantic import BaseModel
from pydantic import BaseModel as PydanticModel
import pydantic
import pydantic.dataclasses
from pydantic_settings import BaseSettings

class Plain:
    pass

@dataclass
class DC:
    a: int

@dataclasses.dataclass(frozen=True)
class DCCall:
    a: int

@pydantic.dataclasses.dataclass
class PydDC:
    a: int

class Pyd(BaseModel):
    a: int

class PydAlias(PydanticModel):
    a: int

class PydDotted(pydantic.BaseModel):
    a: int

class Intermediate(Pyd):
    b: int

class Deeper(Intermediate):
    c: int

class Settings(BaseSettings):
    url: str

@attr.s
class AttrS:
    a = attr.ib()

@attrs.define
class AttrsDefine:
    a: int

@attr.define(slots=False)
class AttrDefineCall:
    a: int

@frozen
class AttrsFrozen:
    a: int

@mutable
class AttrsMutable:
    a: int

class Color(enum.Enum):
    RED = 1

class Level(IntEnum):
    LOW = 1

class Name(StrEnum):
    A = "a"

class Perm(Flag):
    R = 1

class Oops(ValueError):
    pass

class Deep(Oops):
    pass

class Base(BaseException):
    pass

class Reader(Protocol):
    def read(self) -> bytes: ...

class GenericReader(typing.Protocol[typing.AnyStr]):
    pass

class Point(NamedTuple):
    x: int
    y: int

class Pair(namedtuple("Pair", "left right")):
    pass

class Movie(TypedDict):
    title: str
'''

EXPECTED = {
    "Plain": "plain", "DC": "dataclass", "DCCall": "dataclass", "PydDC": "dataclass",
    "Pyd": "pydantic", "PydAlias": "pydantic", "PydDotted": "pydantic",
    "Intermediate": "pydantic", "Deeper": "pydantic", "Settings": "pydantic",
    "AttrS": "attrs", "AttrsDefine": "attrs", "AttrDefineCall": "attrs",
    "AttrsFrozen": "attrs", "AttrsMutable": "attrs",
    "Color": "enum", "Level": "enum", "Name": "enum", "Perm": "enum",
    "Oops": "exception", "Deep": "exception", "Base": "exception",
    "Reader": "protocol", "GenericReader": "protocol",
    "Point": "namedtuple", "Pair": "namedtuple", "Movie": "typeddict",
}


def kinds(g):
    return {r["name"]: r["kind"] for r in g.rows("Class")}


def test_every_class_kind(tmp_path):
    assert kinds(load_code(tmp_path, KINDS)) == EXPECTED


def test_kinds_without_the_libraries_installed(tmp_path, monkeypatch):
    """pydantic, attrs and pydantic_settings cannot be inferred: the imports name them."""
    monkeypatch.setattr(sys, "path", [p for p in sys.path if "-packages" not in p])
    g = load_code(tmp_path, KINDS)
    assert kinds(g) == EXPECTED
    assert ("pkg.mod.Pyd", "pydantic.BaseModel") in g.edges("INHERITS")
    assert ("pkg.mod.Settings", "pydantic_settings.BaseSettings") in g.edges("INHERITS")


def test_lookalike_names_are_plain(tmp_path):
    g = load_code(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/base.py": '''
            class BaseModel:
                pass

            def dataclass(cls):
                return cls

            class Enum:
                pass
        ''',
        "pkg/mod.py": '''
            from pkg.base import BaseModel, Enum, dataclass

            class User(BaseModel):
                name: str

            @dataclass
            class Row:
                a: int

            class Color(Enum):
                RED = 1

            class Protocol:
                pass

            class Reader(Protocol):
                pass
        ''',
    })
    assert {k: v for k, v in kinds(g).items() if k in {"User", "Row", "Color", "Reader"}} == {
        "User": "plain", "Row": "plain", "Color": "plain", "Reader": "plain"}


def test_inherits_local_and_external_with_position(tmp_path):
    g = load_code(tmp_path, '''
        import enum
        from collections import OrderedDict as OD

        class A:
            pass

        class B(A, OD):
            pass

        Alias = A

        class C(Alias, enum.Enum):
            pass
    ''')
    assert g.edges("INHERITS") == {
        ("pkg.mod.B", "pkg.mod.A"), ("pkg.mod.B", "collections.OrderedDict"),
        ("pkg.mod.C", "pkg.mod.A"), ("pkg.mod.C", "enum.Enum"),
    }
    assert g.edge_props("INHERITS", "pkg.mod.B", "collections.OrderedDict") == [{"position": 1}]
    assert g.edge_props("INHERITS", "pkg.mod.C", "pkg.mod.A") == [{"position": 0}]
    assert "collections.OrderedDict" in g.names("External")


def test_abstract_classes(tmp_path):
    g = load_code(tmp_path, '''
        import abc
        from abc import ABC, ABCMeta, abstractmethod

        class ByBase(ABC):
            pass

        class ByMeta(metaclass=ABCMeta):
            pass

        class ByMethod:
            @abc.abstractmethod
            def run(self): ...

        class Concrete(ByBase):
            def run(self):
                return 1

        class NotAbstract:
            def run(self):
                return 1
    ''')
    abstract = {r["name"]: r["is_abstract"] for r in g.rows("Class")}
    assert abstract == {"ByBase": True, "ByMeta": True, "ByMethod": True, "Concrete": False,
                        "NotAbstract": False}
