def ping():
    pass


def routes():
    return {"ping": ping}


routes()["ping"]()
