def run(pipeline):
    for stage in pipeline:
        stage()


def parse():
    pass


def check():
    pass


run([parse, check])
