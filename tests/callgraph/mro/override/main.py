class Base:
    def speak(self):
        pass


class Loud(Base):
    def speak(self):
        pass


Loud().speak()
