from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pkg.typed_one import make  # ok: import-cycle


class Two:
    def maker(self) -> "make":
        return None
