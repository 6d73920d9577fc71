class Temp:
    def __init__(self):
        self._c = 0

    @property
    def celsius(self):
        return self._c

    @celsius.setter
    def celsius(self, value):
        self._c = self.clamp(value)

    def clamp(self, value):
        return value


t = Temp()
t.celsius = 5
