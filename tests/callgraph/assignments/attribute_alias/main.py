class Box:
    def open(self):
        pass


b = Box()
other = b
other.open()
