def unrelated() -> int:  # ok: unwired-feature
    return 1
