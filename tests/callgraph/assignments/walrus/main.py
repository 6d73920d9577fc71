def pick():
    return 1


if (chosen := pick) is not None:
    chosen()
