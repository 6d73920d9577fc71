def make_default():
    return 1


class Settings:
    default = make_default()
