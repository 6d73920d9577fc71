"""kg's own exceptions.

Library code raises these; the CLI edge turns them into messages and exit
codes, so a crash is never mistaken for "findings" (exit 1).
"""


class KgError(Exception):
    """Base of every error kg reports to a user."""

    exit_code = 2


class InputError(KgError):
    """The input cannot be used: a path with no Python, a bad option value, a bad rule file."""

    exit_code = 2


class QueryError(KgError):
    """A Cypher query was rejected by the store (syntax, unknown label, write in read-only mode)."""

    exit_code = 2


class StoreUnavailable(KgError):
    """The store cannot be reached or opened: server down, wrong password, unreadable files."""

    exit_code = 3


class StoreBusy(StoreUnavailable):
    """Another kg process is writing to the same store or repository."""

    exit_code = 3
