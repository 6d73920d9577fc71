class Base:
    def save(self):
        pass


class Child(Base):
    def save(self):
        super().save()


Child().save()
