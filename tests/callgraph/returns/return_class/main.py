class Plugin:
    def __init__(self):
        pass


def plugin_class():
    return Plugin


plugin_class()()
