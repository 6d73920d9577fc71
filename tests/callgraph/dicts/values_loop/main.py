def a():
    pass


def b():
    pass


hooks = {"a": a, "b": b}
for hook in hooks.values():
    hook()
