"""Where a path diagram starts: a command, an entry point, a function or a module.

A command's own function runs with its groups' callbacks (`lem` before `lem
campaign`), and a group runs one of its commands, so a command name starts
from the functions ENTERS gives for the command, its ancestor groups and its
sub-commands. The same rule turns a subprocess hop into a console-script
command into the functions it lands on.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.errors import InputError
from kg.queries import paths
from kg.queries.store import Store

CLI_COMMAND = "cli_command"


@dataclass
class Start:
    name: str
    roots: dict[str, str]            # node id -> label (Function or Module)


class EntryPoints:
    """The repository's entry points, fetched once; what each one starts."""

    def __init__(self, store: Store, repo: str):
        self.store = store
        self.all = paths.entry_points(store, repo)
        self.by_id = {ep["id"]: ep for ep in self.all}

    def matching(self, text: str) -> list[dict]:
        """Entry points named text (`lem campaign`), else those whose target is text."""
        return ([ep for ep in self.all if ep["name"] == text]
                or [ep for ep in self.all if ep["target"] == text])

    def roots(self, chosen: list[dict]) -> dict[str, str]:
        """The functions and modules the chosen entry points enter, with their groups'."""
        ids = {ep["id"] for ep in chosen}
        for ep in chosen:
            if ep["kind"] == CLI_COMMAND:
                ids.update(other["id"] for other in self.all if other["kind"] == CLI_COMMAND
                           and _related_commands(ep["name"], other["name"]))
        found = paths.enters(self.store, sorted(ids))
        return dict(sorted((row["dst"], row["dst_label"]) for row in found))


def resolve(store: Store, repo: str, text: str, entry_points: EntryPoints) -> Start:
    """ENTRY as a command or entry point, else a function's qualified name, else a module."""
    chosen = entry_points.matching(text)
    if chosen:
        return Start(text, entry_points.roots(chosen))
    for label in ("Function", "Module"):
        ids = paths.named(store, repo, label, text)
        if ids:
            return Start(text, {i: label for i in ids})
    commands = sorted({ep["name"] for ep in entry_points.all})
    known = ", ".join(commands[:30]) + (" ..." if len(commands) > 30 else "")
    raise InputError(f"no command, entry point, function or module named {text!r} in "
                     f"{repo}; commands: {known or 'none'}")


def _related_commands(name: str, other: str) -> bool:
    """other is an ancestor group of the command name, or one of its sub-commands."""
    return (name + " ").startswith(other + " ") or other.startswith(name + " ")
