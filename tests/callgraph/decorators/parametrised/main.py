def retry(times):
    def decorator(fn):
        def wrapper():
            for _ in range(times):
                fn()
        return wrapper
    return decorator


@retry(3)
def flaky():
    pass


flaky()
