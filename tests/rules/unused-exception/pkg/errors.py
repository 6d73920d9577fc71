"""Exception classes, used in every way and not at all."""


class AppError(Exception):  # ok: unused-exception
    """Never raised itself, but NotFound, a subclass, is."""


class NotFound(AppError):  # ok: unused-exception
    pass


class UnusedChild(AppError):  # ruleid: unused-exception
    pass


class OnlyCaught(Exception):  # ok: unused-exception
    pass


class Timeout(Exception):  # ok: unused-exception
    """Caught through a tuple variable that references it."""


class RaisedAsInstance(Exception):  # ok: unused-exception
    pass


class Constructed(Exception):  # ok: unused-exception
    """Built and handed over, never raised here: construction counts as a use."""


# ruleid: unused-exception
class NeverUsed(Exception):
    """Nothing raises, catches, subclasses or names it."""


class BuildsItself(ValueError):  # ruleid: unused-exception
    @classmethod
    def make(cls):
        return BuildsItself("only its own method constructs it")


class Plain:  # ok: unused-exception
    """Not an exception: never reported."""


RETRYABLE = (Timeout, OSError)
