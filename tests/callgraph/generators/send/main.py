def log(x):
    pass


def consumer():
    while True:
        item = yield
        log(item)


c = consumer()
next(c)
c.send(1)
