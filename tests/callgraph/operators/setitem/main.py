class Store:
    def __setitem__(self, key, value):
        pass


s = Store()
s["k"] = 1
