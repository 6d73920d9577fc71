def task():
    return 1


def task():
    return 2


task()
