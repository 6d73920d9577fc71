class Set:
    def __contains__(self, item):
        return False


s = Set()
found = 1 in s
