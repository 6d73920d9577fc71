def make_adder(n):
    def add(x):
        return x + n
    return add


add1 = make_adder(1)
add2 = make_adder(2)
add1(1)
add2(2)
