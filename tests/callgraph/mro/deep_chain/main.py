class A:
    def hello(self):
        pass


class B(A):
    pass


class C(B):
    pass


C().hello()
