def a():
    pass


def b():
    pass


call = lambda f: f()
call(a)
call(b)
