"""Functions that only forward to another, and look-alikes that do more."""

import functools


def target(a, b=0, *rest, **options):
    return a, b, rest, options


def helper(a):
    return a


def forward(a, b):  # ruleid: pass-through-wrapper
    return target(a, b)


def forward_keyword(a, *, b):  # ruleid: pass-through-wrapper
    """A docstring does not count as a statement."""
    return target(a, b=b)


def forward_everything(*args, **kwargs):  # ruleid: pass-through-wrapper
    return target(*args, **kwargs)


def forward_without_return(a, b):  # ruleid: pass-through-wrapper
    target(a, b)


def computes(a, b):  # todook: pass-through-wrapper
    return target(a + 1, b)


def reorders(a, b):  # todook: pass-through-wrapper
    return target(b, a)


def adds_a_constant(a):  # ok: pass-through-wrapper
    return target(a, 2)


def drops_a_parameter(a, b):  # ok: pass-through-wrapper
    return target(a)


def nests_calls(a, b):  # ok: pass-through-wrapper
    return target(helper(a), b)


def two_statements(a, b):  # ok: pass-through-wrapper
    a = helper(a)
    return target(a, b)


def wraps_external(path):  # ok: pass-through-wrapper
    return open(path)


def constructs(a):  # ok: pass-through-wrapper
    return Box(a)


def recursive(a, b):  # ok: pass-through-wrapper
    return recursive(a, b)


def route(path):
    def register(fn):
        return fn
    return register


@route("/items")  # ok: pass-through-wrapper
def handler(a, b):
    return target(a, b)


def logged(fn):
    @functools.wraps(fn)  # ok: pass-through-wrapper
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


def outer():
    def inner(a, b):  # ruleid: pass-through-wrapper
        return target(a, b)
    return inner


class Box:
    def __init__(self, a):
        self.a = a

    def put(self, item):  # ruleid: pass-through-wrapper
        return helper(item)

    def __call__(self, item):  # ok: pass-through-wrapper
        return helper(item)

    @staticmethod  # ruleid: pass-through-wrapper
    def static_put(item):
        return helper(item)


class Base:
    def run(self, a, b):
        return a, b


class Child(Base):
    def run(self, a, b):  # ok: pass-through-wrapper
        return target(a, b)


def renames(a, c):  # ok: pass-through-wrapper
    return target(a, b=c)


def no_arguments():  # ruleid: pass-through-wrapper
    return nothing()


def nothing():
    return None
