def load(name: str) -> dict:
    return {"name": name, "size": len(name)}


def prepare(config: dict) -> list[int]:
    return list(range(config["size"]))


def execute(item: int) -> int:
    return item * 2


def save(results: list[int], name: str) -> str:
    return f"{name}: {sum(results)}"
