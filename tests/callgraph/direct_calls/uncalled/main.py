def used():
    pass


def unused():
    used()


used()
