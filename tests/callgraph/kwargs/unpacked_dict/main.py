def connect(host, on_connect):
    on_connect()


def ready():
    pass


options = {"host": "x", "on_connect": ready}
connect(**options)
