def trace(fn):
    return fn


class Service:
    @trace
    def handle(self):
        pass


Service().handle()
