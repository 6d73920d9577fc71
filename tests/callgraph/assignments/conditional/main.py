import sys


def fast():
    pass


def slow():
    pass


if len(sys.argv) > 1:
    run = fast
else:
    run = slow
run()
