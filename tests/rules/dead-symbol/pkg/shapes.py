"""Functions, classes and variables, used and not."""

import abc
import ast
import functools
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol, overload

registry = {}
default_mode = "fast"
unused_setting = "slow"  # ruleid: dead-symbol
LIMIT = 10  # ok: dead-symbol
__version__ = "1.0"  # ok: dead-symbol


def register(fn):  # ok: dead-symbol
    registry[fn.__name__] = fn
    return fn


@register  # ok: dead-symbol
def plugin():
    return 1


# ruleid: dead-symbol
def never_called():
    return 2


# ruleid: dead-symbol
def recursive(n):
    return recursive(n - 1) if n else 0


# ruleid: dead-symbol
@functools.lru_cache(maxsize=128)
def cached_but_unused():
    return 3


# ruleid: dead-symbol
@contextmanager
def unused_context():
    yield


@functools.cache  # ok: dead-symbol
def cached_and_called():
    return 4


def called():  # ok: dead-symbol
    return default_mode


def passed_as_value():  # ok: dead-symbol
    return 5


def exported_only():  # ok: dead-symbol
    return 6


def imported_elsewhere():  # ok: dead-symbol
    return 7


@overload  # ok: dead-symbol
def parse(x: int) -> int: ...
@overload  # ok: dead-symbol
def parse(x: str) -> str: ...
def parse(x):  # ok: dead-symbol
    return x


def outer():  # ok: dead-symbol
    def inner_called():  # ok: dead-symbol
        return 8

    # ruleid: dead-symbol
    def inner_unused():
        return 9

    def inner_returned():  # ok: dead-symbol
        return 10

    inner_called()
    return inner_returned


# ruleid: dead-symbol
class Unused:
    # ruleid: dead-symbol
    def method(self):
        return self.helper()

    def helper(self):  # ok: dead-symbol
        return 11

    def __repr__(self):  # ok: dead-symbol
        return "Unused()"

    @property  # ok: dead-symbol
    def size(self):
        return 12

    # ruleid: dead-symbol
    @staticmethod
    def static_unused():
        return 13


# ruleid: dead-symbol
class OnlyUsesItself:
    def copy(self) -> "OnlyUsesItself":  # ruleid: dead-symbol
        return OnlyUsesItself()


@dataclass  # ok: dead-symbol
class Point:
    x: int = 0


def annotated(p: Point) -> None:  # ok: dead-symbol
    return None


class Base(abc.ABC):  # ok: dead-symbol
    @abc.abstractmethod  # ok: dead-symbol
    def run(self):
        ...

    def hook(self):  # ok: dead-symbol
        return 14


class Child(Base):  # ok: dead-symbol
    def run(self):  # ok: dead-symbol
        return self.hook()

    def hook(self):  # ok: dead-symbol
        return 15


class Visitor(ast.NodeVisitor):  # ok: dead-symbol
    def visit_Name(self, node):  # ok: dead-symbol
        return node


class DeepVisitor(Visitor):  # ok: dead-symbol
    def visit_Call(self, node):  # ok: dead-symbol
        return node


# ruleid: dead-symbol
def hook():
    """Shares a method's name, but a module-level function overrides nothing."""
    return 0


class Reader(Protocol):  # ok: dead-symbol
    def read(self) -> str:  # ok: dead-symbol
        ...


class UnusedError(Exception):  # ok: dead-symbol
    """Exceptions are unused-exception's."""


def use_everything(reader: Reader):  # ok: dead-symbol
    called()
    cached_and_called()
    Child().run()
    Visitor().visit(ast.parse("x"))
    DeepVisitor().visit(ast.parse("x"))
    annotated(Point())
    outer()
    parse(1)
    print(LIMIT, reader, passed_as_value)


if __name__ == "__main__":
    use_everything(None)


class Factory:  # ok: dead-symbol
    @classmethod  # ok: dead-symbol
    def create(cls):
        return cls()


class Settings:  # ok: dead-symbol
    debug = False


class Holder:  # ok: dead-symbol
    @property  # ok: dead-symbol
    def value(self):
        return 16

    @value.setter  # ok: dead-symbol
    def value(self, v):
        self._v = v


def more_uses():  # ok: dead-symbol
    holder = Holder()
    holder.value = holder.value
    return Factory.create(), Settings.debug


more_uses()
