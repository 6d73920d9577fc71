class Engine:
    def start(self):
        pass


def drive(engine: Engine):
    engine.start()


drive(Engine())
