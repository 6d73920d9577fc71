"""Star-imported by pkg.app: its names may all be used through the star."""

STAR_CONSTANT = 1  # ok: unused-constant
