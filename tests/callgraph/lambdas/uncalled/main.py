def side_effect():
    pass


unused = lambda: side_effect()
