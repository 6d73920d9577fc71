def red():
    pass


def blue():
    pass


def paint(colour):
    palette = {"red": red, "blue": blue}
    return palette[colour]()


paint(input())
