from tool.steps import execute, load, prepare, save


class Runner:
    def __init__(self, name: str):
        self.name = name

    def run_job(self) -> str:  # ok: cli-runner-duplication
        config = load(self.name)
        return save([execute(i) for i in prepare(config)], self.name)

    # ruleid: cli-runner-duplication
    def run_batch(self, names: list[str]) -> list[str]:
        out = []
        for name in names:
            config = load(name)
            items = prepare(config)
            results = []
            for item in items:
                if item % 2:
                    results.append(execute(item))
            out.append(save(results, name))
        return out
