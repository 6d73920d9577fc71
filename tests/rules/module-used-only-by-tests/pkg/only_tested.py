"""Only tests import this module (from-import)."""  # ruleid: module-used-only-by-tests


def helper():
    return 3
