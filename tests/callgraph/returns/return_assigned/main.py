def target():
    pass


def pick():
    return target


fn = pick()
fn()
