def helper():
    pass


def main():
    h = helper
    h()


main()
