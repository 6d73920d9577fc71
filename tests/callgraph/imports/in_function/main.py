def lazy():
    from helpers import greet
    greet()


lazy()
