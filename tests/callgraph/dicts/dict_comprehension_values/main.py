def up():
    pass


def down():
    pass


moves = dict(up=up, down=down)
moves["up"]()
