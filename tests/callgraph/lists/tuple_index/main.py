import random


def heads():
    pass


def tails():
    pass


coin = (heads, tails)
coin[random.randint(0, 1)]()
