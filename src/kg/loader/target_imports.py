"""A module of the target that imports itself gets a copy of its own file, built once.

astroid resolves an import naming the importing module itself (`from .live import Live` in
rich/live.py, `import foo` in foo.py) without its module cache: it asks the import system
for the file, to find the right module when a file is named like another (a `json.py`
importing the standard `json`), and builds it as a module apart (Python's view too: a
script's `from .live import Live` under `if __name__ == "__main__":` imports a second
module). For kg that search goes wrong twice: it finds whatever the running Python has
installed under that name (with rich installed, the installed rich's live.py instead of
the target's); and the module it builds is not cached, so it is built again at each use
(the inference cache is emptied before each module: rich's live.py built 150 times, a
tenth of the load's CPU). Within `resolved`, such an import of one of the target's modules
gets a copy built from the target's own file, once a load. Given the target's tree
itself, astroid would look the name up ignoring the module's own definitions (it expects
another module) and infer nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager

from astroid import nodes
from astroid.builder import AstroidBuilder
from astroid.manager import AstroidManager

_names: list[set[str]] = []       # the target's module names, while resolved
_copies: dict[str, nodes.Module | None] = {}   # module -> its copy (None while built)


@contextmanager
def resolved(names: Collection[str] = ()) -> Iterator[None]:
    """Within the block, importing one of names (the target's modules), or of the names of a
    block nested in it (parse.py's, within a load's), gives the module's cached tree."""
    if _names:              # nested: its names join the outer block's until that ends
        _names[0].update(names)
        yield
        return
    own = AstroidManager.ast_from_module_name
    _names.append(set(names))

    def ast_from_module_name(self, modname, context_file=None, use_cache=True):
        if use_cache or modname not in _names[0]:
            return own(self, modname, context_file, use_cache)
        if modname in _copies:
            return _copies[modname] or self.astroid_cache[modname]
        tree = self.astroid_cache.get(modname)
        if tree is None or not tree.file:
            return own(self, modname, context_file, use_cache)
        # Building the copy infers (astroid's delayed_assattr), and may meet the same import
        # again: that one gets the target's tree, in which astroid then finds nothing.
        _copies[modname] = None
        try:
            _copies[modname] = AstroidBuilder(self).file_build(tree.file, modname)
        except BaseException:
            del _copies[modname]
            raise
        return _copies[modname]

    AstroidManager.ast_from_module_name = ast_from_module_name
    try:
        yield
    finally:
        AstroidManager.ast_from_module_name = own
        _names.clear()
        _copies.clear()
