"""Module constants, used and not."""

TIMEOUT = 30  # ok: unused-constant
RETRIES = 3  # ruleid: unused-constant
_PRIVATE_LIMIT = 5  # ruleid: unused-constant
ANNOTATED: int = 4  # ruleid: unused-constant
EXPORTED = 1  # ok: unused-constant
IMPORTED_ONLY = 8  # ok: unused-constant
USED_VIA_ATTRIBUTE = 2  # ok: unused-constant
AT_MODULE_LEVEL = 3  # ok: unused-constant
IN_CLASS_BODY = 6  # ok: unused-constant
lower_case = 7  # ok: unused-constant
__version__ = "1.0"  # ok: unused-constant

print(AT_MODULE_LEVEL)


def wait():
    return TIMEOUT


class Config:
    limit = IN_CLASS_BODY
