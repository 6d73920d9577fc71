def work():
    pass


run = lambda: work()
run()
