def fallback():
    pass


def handle(on_error=fallback):
    on_error()


handle()
