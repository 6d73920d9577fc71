def task():
    pass


def tasks():
    yield task


next(tasks())()
