X = 1  # ok: large-module
