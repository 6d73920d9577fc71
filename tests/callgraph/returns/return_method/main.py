class Worker:
    def get_task(self):
        return self.task

    def task(self):
        pass


Worker().get_task()()
