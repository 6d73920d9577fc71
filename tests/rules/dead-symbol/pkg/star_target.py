"""Star-imported by pkg.consumer: every top-level name may be used through it."""


def via_star():  # ok: dead-symbol
    return 1


star_value = 2  # ok: dead-symbol
