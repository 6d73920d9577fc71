import sys


def on_get():
    pass


def on_post():
    pass


handlers = {"GET": on_get, "POST": on_post}
handlers[sys.argv[1]]()
