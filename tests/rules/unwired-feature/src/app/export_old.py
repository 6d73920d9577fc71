"""Exports before the rewrite: nothing imports this."""  # ruleid: unwired-feature


# ruleid: unwired-feature
def old_export() -> str:
    return "old"
