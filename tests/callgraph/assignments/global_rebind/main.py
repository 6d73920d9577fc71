def impl():
    pass


handler = None


def install():
    global handler
    handler = impl


def fire():
    handler()


install()
fire()
