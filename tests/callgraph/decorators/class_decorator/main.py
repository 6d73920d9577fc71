REGISTRY = []


def register(cls):
    REGISTRY.append(cls)
    return cls


@register
class Plugin:
    def run(self):
        pass


Plugin().run()
