from dataclasses import dataclass, field


def new_tags():
    return []


@dataclass
class Item:
    name: str
    tags: list = field(default_factory=new_tags)


Item("a")
