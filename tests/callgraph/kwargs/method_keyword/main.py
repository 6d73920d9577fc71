class Button:
    def __init__(self, on_click=None):
        self.on_click = on_click

    def press(self):
        self.on_click()


def clicked():
    pass


Button(on_click=clicked).press()
