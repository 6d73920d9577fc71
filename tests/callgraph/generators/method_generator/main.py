class Tree:
    def __init__(self, kids=()):
        self.kids = list(kids)

    def children(self):
        return self.kids

    def walk(self):
        yield self
        for child in self.children():
            yield from child.walk()


for node in Tree([Tree()]).walk():
    pass
