def logged(fn):
    def wrapper(*args):
        return fn(*args)
    return wrapper


@logged
def add(a, b):
    return a + b


add(1, 2)
