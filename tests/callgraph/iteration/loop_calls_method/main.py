class Job:
    def run(self):
        pass


for job in [Job(), Job()]:
    job.run()
