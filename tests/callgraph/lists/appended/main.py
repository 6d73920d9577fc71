def setup():
    pass


def teardown():
    pass


steps = []
steps.append(setup)
steps.append(teardown)
for step in steps:
    step()
