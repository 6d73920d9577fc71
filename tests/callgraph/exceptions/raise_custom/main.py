class AppError(Exception):
    def __init__(self, msg):
        super().__init__(msg)


def fail():
    raise AppError("boom")


try:
    fail()
except AppError:
    pass
