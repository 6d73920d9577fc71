def on_done():
    pass


class Task:
    def __init__(self, callback):
        self.callback = callback

    def finish(self):
        self.callback()


Task(on_done).finish()
