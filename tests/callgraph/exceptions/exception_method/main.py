class HttpError(Exception):
    def describe(self):
        return "http"


def fetch():
    raise HttpError()


try:
    fetch()
except HttpError as e:
    e.describe()
