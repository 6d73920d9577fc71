def start():
    pass


def stop():
    pass


commands = {"start": start, "stop": stop}
commands.get("stop")()
