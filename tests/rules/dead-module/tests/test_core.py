"""A test module: never reported."""  # ok: dead-module

from pkg.only_tested import checked


def test_checked():
    assert checked() == 6
