"""Imports constants by name, by attribute and by star."""

from pkg import settings
from pkg.defaults import *  # noqa: F403
from pkg.other import RETRIES
from pkg.settings import EXPORTED, IMPORTED_ONLY  # noqa: F401


def run():
    return RETRIES + EXPORTED + settings.USED_VIA_ATTRIBUTE + settings.wait()
