"""What kind of class a class is (dataclass, pydantic, enum, ...) and whether it is abstract.

Decided from the names of its decorators and ancestors (see fields_names for why
names rather than inferred library classes), never from the class's own name:
a local class called `BaseModel` is plain.
"""

from __future__ import annotations

from astroid import nodes

from kg.loader.context import ModuleContext
from kg.loader.fields_lineage import lineage, memo
from kg.loader.fields_names import qualnames

DATACLASS_MODULES = frozenset({"dataclasses", "pydantic"})
ATTRS_MODULES = frozenset({"attr", "attrs"})
ATTRS_DECORATORS = frozenset({"s", "attrs", "attributes", "define", "frozen", "mutable",
                              "dataclass"})
TYPEDDICT = frozenset({"typing.TypedDict", "typing_extensions.TypedDict"})
NAMEDTUPLE = frozenset({"typing.NamedTuple", "typing_extensions.NamedTuple",
                        "collections.namedtuple"})
PROTOCOL = frozenset({"typing.Protocol", "typing_extensions.Protocol"})
ENUM = frozenset({"enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag"})
PYDANTIC = frozenset({
    "pydantic.BaseModel", "pydantic.main.BaseModel", "pydantic.v1.BaseModel",
    "pydantic.v1.main.BaseModel", "pydantic.BaseSettings", "pydantic.env_settings.BaseSettings",
    "pydantic_settings.BaseSettings", "pydantic_settings.main.BaseSettings",
})
EXCEPTION = frozenset({"builtins.BaseException", "builtins.Exception"})
ABSTRACT_DECORATORS = frozenset({"abstractmethod", "abstractproperty", "abstractclassmethod",
                                 "abstractstaticmethod"})


def class_kind(ctx: ModuleContext, node: nodes.ClassDef) -> str:
    kinds = memo(ctx).kinds
    if id(node) not in kinds:
        kinds[id(node)] = "plain"       # a cyclic hierarchy ends as plain
        kinds[id(node)] = _decorated_kind(ctx, node) or _inherited_kind(ctx, node)
    return kinds[id(node)]


def is_abstract(ctx: ModuleContext, node: nodes.ClassDef) -> bool:
    """Declares itself abstract: an ABC base, the ABCMeta metaclass, or an abstract method."""
    if any("abc.ABC" in base.names for base in lineage(ctx, node).bases):
        return True
    metaclass = node._metaclass     # astroid keeps `metaclass=` apart from the other keywords
    if metaclass is not None and "abc.ABCMeta" in qualnames(ctx, metaclass):
        return True
    return any(_is_abstract_method(f) for f in node.body
               if isinstance(f, nodes.FunctionDef | nodes.AsyncFunctionDef))


def _decorated_kind(ctx: ModuleContext, node: nodes.ClassDef) -> str | None:
    for decorator in node.decorators.nodes if node.decorators else []:
        for name in qualnames(ctx, decorator):
            first, _, rest = name.partition(".")
            last = name.rsplit(".", 1)[-1]
            if first in ATTRS_MODULES and last in ATTRS_DECORATORS:
                return "attrs"
            if first in DATACLASS_MODULES and last == "dataclass":
                return "dataclass"
    return None


def _inherited_kind(ctx: ModuleContext, node: nodes.ClassDef) -> str:
    ancestry = lineage(ctx, node)
    names = ancestry.names
    if names & TYPEDDICT:
        return "typeddict"
    if names & NAMEDTUPLE:
        return "namedtuple"
    if names & ENUM:
        return "enum"
    if any(set(base.names) & PROTOCOL for base in ancestry.bases):
        return "protocol"
    if names & PYDANTIC:
        return "pydantic"
    if names & EXCEPTION or any(_named_like_exception(n) for n in names):
        return "exception"
    return "plain"


def _named_like_exception(name: str) -> bool:
    """An uninferable outside base called `...Error` is an exception (marked fallback)."""
    last = name.rsplit(".", 1)[-1]
    return last.endswith(("Error", "Exception"))


def _is_abstract_method(function: nodes.FunctionDef) -> bool:
    decorators = function.decorators.nodes if function.decorators else []
    return any(d.as_string().rsplit(".", 1)[-1] in ABSTRACT_DECORATORS for d in decorators)
