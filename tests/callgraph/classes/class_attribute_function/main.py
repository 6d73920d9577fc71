def helper():
    pass


class Registry:
    handler = helper


Registry.handler()
