from typing import TYPE_CHECKING

from app import cli_helpers  # ok: layer-violation
from app.runner import run  # ruleid: layer-violation

if TYPE_CHECKING:
    from app.cli import main  # ok: layer-violation


class Order:
    def submit(self, entry: "main | None" = None):
        return run(self), cli_helpers.HELP
