from thirdparty import Base


class Local(Base):
    def go(self):
        self.helper()


Local().go()
