class A:
    def setup(self):
        pass


class B(A):
    def setup(self):
        super().setup()


class C(A):
    def setup(self):
        super().setup()


class D(B, C):
    def setup(self):
        super().setup()


D().setup()
