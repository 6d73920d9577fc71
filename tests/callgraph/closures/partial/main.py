import functools


def greet(greeting, name):
    return greeting + name


hello = functools.partial(greet, "hello ")
hello("ann")
