from contextlib import contextmanager


def acquire():
    pass


def release():
    pass


@contextmanager
def locked():
    acquire()
    try:
        yield
    finally:
        release()


with locked():
    pass
