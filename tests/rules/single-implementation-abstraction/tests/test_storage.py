"""A test double and a test-only abstraction."""

from abc import ABC, abstractmethod

from pkg.abstractions import Storage


class FakeStorage(Storage):
    def save(self, data):
        return None


class TestHelperBase(ABC):  # ok: single-implementation-abstraction
    @abstractmethod
    def make(self): ...


def test_fake():
    assert FakeStorage().save(1) is None
