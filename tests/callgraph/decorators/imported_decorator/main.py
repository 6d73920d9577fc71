from deco import memo


@memo
def slow():
    return 1


slow()
