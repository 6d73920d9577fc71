a = list((1, 2))
b = dict(x=1)
c = str(3)
d = int("4")
