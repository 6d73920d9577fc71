from typing import NamedTuple


class Span(NamedTuple):
    start: int
    end: int

    def length(self):
        return self.end - self.start


Span(1, 4).length()
