from dataclasses import dataclass, field

from pydantic import BaseModel


@dataclass
class Run:
    name: str  # ok: unset-domain-field
    gpus: int = 1  # ok: unset-domain-field
    # ruleid: unset-domain-field
    retries: int = 0
    # ruleid: unset-domain-field
    summary: str = field(init=False)
    # ruleid: unset-domain-field
    tag: str = ""
    # ruleid: unset-domain-field
    attempts: int = 0
    events: list = field(default_factory=list)  # ok: unset-domain-field


class Spec(BaseModel):
    title: str  # ok: unset-domain-field
    # ruleid: unset-domain-field
    notes: str = ""
    # ruleid: unset-domain-field
    owner: str = "nobody"


@dataclass
class OnlyInTests:
    value: int  # ok: unset-domain-field


@dataclass
class SetOnlyInTests:
    label: str = ""  # ok: unset-domain-field
    # ruleid: unset-domain-field
    level: int = 0
