"""kg's exceptions as click errors with kg's exit codes (click's own ClickException exits 1)."""

from __future__ import annotations

import functools
import os
import sys
import traceback

import click

from kg.errors import KgError


class KgClickError(click.ClickException):
    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.echo(f"kg: error: {self.format_message()}", err=True)


def reported(func):
    """Turn kg's own exceptions into messages and exit codes at the edge."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except KgError as e:
            raise KgClickError(str(e), e.exit_code) from None
        except KeyboardInterrupt:
            click.echo("kg: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            _reader_gone()
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception:  # a bug in kg: say so, never exit 1 (that means findings)
            traceback.print_exc()
            click.echo("kg: internal error (a bug in kg; the traceback above helps us fix it)",
                       err=True)
            sys.exit(2)

    return wrapper


def _reader_gone() -> None:
    """What reads kg's output stopped reading (`kg query ... | head`): stop quietly with the
    status a Unix tool killed by SIGPIPE has, after the work itself (a load's store write)
    is done. Nothing more can reach stdout, so the interpreter's last flush goes nowhere."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(141)
