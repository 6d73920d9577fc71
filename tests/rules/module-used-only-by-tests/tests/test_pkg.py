"""Tests that import production modules."""  # ok: module-used-only-by-tests

import pkg
from pkg.api import call
from pkg.cli import main
from pkg.only_tested import helper
from pkg.typed import Shape
from pkg.worker import work

from tests.helpers import make


def test_all():
    import pkg.also_only_tested as also
    assert pkg and call() and main and helper() and Shape and work() and make() and also.VALUE
