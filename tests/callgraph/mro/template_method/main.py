class Report:
    def render(self):
        self.body()

    def body(self):
        pass


class Html(Report):
    def body(self):
        pass


Html().render()
