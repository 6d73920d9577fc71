class Temp:
    def __init__(self):
        self._c = 0

    def get_celsius(self):
        return self._c

    def set_celsius(self, value):
        self._c = self.clamp(value)

    def clamp(self, value):
        return value

    celsius = property(get_celsius, set_celsius)


t = Temp()
t.celsius = 5
reading = t.celsius
