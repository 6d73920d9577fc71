"""Abstract bases and protocols with zero, one and several implementations."""

from abc import ABC, abstractmethod
from typing import Protocol


class Storage(ABC):  # ruleid: single-implementation-abstraction
    """One implementation here; the fake in tests does not count."""

    @abstractmethod
    def save(self, data): ...


class DiskStorage(Storage):  # ok: single-implementation-abstraction
    def save(self, data):
        return data


class Codec(ABC):  # ok: single-implementation-abstraction
    @abstractmethod
    def encode(self, data): ...


class JsonCodec(Codec):
    def encode(self, data):
        return data


class YamlCodec(Codec):
    def encode(self, data):
        return data


class Unimplemented(ABC):  # ruleid: single-implementation-abstraction
    @abstractmethod
    def run(self): ...


class Layered(ABC):  # ok: single-implementation-abstraction
    """Its direct subclass is abstract too; two concrete classes below it."""

    @abstractmethod
    def step(self): ...


class Middle(Layered):  # ok: single-implementation-abstraction
    @abstractmethod
    def finish(self): ...


class StepA(Middle):
    def step(self):
        return 1

    def finish(self):
        return 2


class StepB(Middle):
    def step(self):
        return 3

    def finish(self):
        return 4


class Reader(Protocol):  # ok: single-implementation-abstraction
    """Implemented structurally by two classes that do not inherit from it."""

    def read(self) -> str: ...


class FileReader:
    def read(self) -> str:
        return "file"


class NetReader:
    def read(self) -> str:
        return "net"


class Writer(Protocol):  # ruleid: single-implementation-abstraction
    """FileWriter has both methods; HalfWriter lacks flush, so it is no Writer."""

    def write(self, text: str) -> None: ...

    def flush(self) -> None: ...


class FileWriter:
    def write(self, text: str) -> None:
        return None

    def flush(self) -> None:
        return None


class HalfWriter:
    def write(self, text: str) -> None:
        return None


class Sink(Protocol):  # ruleid: single-implementation-abstraction
    """One class both subclasses it and has its method: one implementation, not two."""

    def put(self, item) -> None: ...


class ListSink(Sink):
    def put(self, item) -> None:
        return None
