def is_even(n):
    return n % 2 == 0


evens = list(filter(is_even, range(10)))
