def square(x):
    return x * x


result = list(map(square, [1, 2]))
