def schedule(delay, callback=None):
    callback()


def tick():
    pass


schedule(1, callback=tick)
