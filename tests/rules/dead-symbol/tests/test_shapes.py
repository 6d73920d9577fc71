"""Test functions are run by pytest, never reported."""

import pytest


@pytest.fixture  # ok: dead-symbol
def shape():
    return 1


def test_shape(shape):  # ok: dead-symbol
    assert shape


class TestGroup:  # ok: dead-symbol
    def setup_method(self):  # ok: dead-symbol
        self.x = 1

    def test_x(self):  # ok: dead-symbol
        assert self.x


# ruleid: dead-symbol
def unused_test_helper():
    return 1
