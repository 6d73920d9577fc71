def base_helper():
    pass
