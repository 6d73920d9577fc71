def run(*, action):
    action()


def save():
    pass


run(action=save)
