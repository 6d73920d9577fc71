def one():
    pass


def two():
    pass


fn = one
fn()
fn = two
fn()
