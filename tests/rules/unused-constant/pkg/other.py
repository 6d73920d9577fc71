"""Has a RETRIES of its own, which pkg.app imports: settings.RETRIES stays unused."""

RETRIES = 9  # ok: unused-constant
