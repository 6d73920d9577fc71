def invoke(fn, /):
    return fn()


def job():
    return 1


invoke(job)
