_listeners = []


def subscribe(fn):
    _listeners.append(fn)


def notify():
    for fn in _listeners:
        fn()


def on_event():
    pass


subscribe(on_event)
notify()
