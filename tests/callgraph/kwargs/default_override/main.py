def noop():
    pass


def loud():
    pass


def emit(hook=noop):
    hook()


emit()
emit(hook=loud)
