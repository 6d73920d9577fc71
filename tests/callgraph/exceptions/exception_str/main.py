class Problem(Exception):
    def __str__(self):
        return "problem"


try:
    raise Problem()
except Problem as p:
    message = str(p)
