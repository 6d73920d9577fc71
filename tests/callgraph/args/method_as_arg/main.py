class Greeter:
    def greet(self):
        pass


def call_it(fn):
    fn()


g = Greeter()
call_it(g.greet)
