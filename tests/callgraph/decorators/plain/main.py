def register(fn):
    return fn


@register
def handler():
    pass


handler()
