"""Names and I/O kinds of the stdlib and third-party symbols that calls resolve to.

astroid names a symbol after the module that defines it, which is often a
private or platform module (`posix.system`, `posixpath.join`, `_io.open`).
Rules and diagrams are written against the public spelling, so qualnames are
normalised first (`os.system`, `os.path.join`, `builtins.open`).

The `io` of an External says what calling it does to the outside world; it is
what `kg diagram path --sinks write` and the side-effect rules look for:

- write: `builtins.open`/`io.open`/`codecs.open`/`gzip.open`/`Path.open`... with
  a mode literal containing w, a, x or + (the open then resolves to the
  separate External `<qualname>#write`, so every node has one io); `Path.write_text`,
  `write_bytes`, `mkdir`, `touch`, `unlink`...; `json.dump`, `pickle.dump`,
  `yaml.dump`, `numpy.save`, `torch.save`; DataFrame/Series `to_csv`,
  `to_parquet`, `to_json`...; `shutil.copy*`/`move`/`rmtree`; `os.makedirs`,
  `os.mkdir`, `os.remove`, `os.rename`...; file objects' `write`/`writelines`.
- read: open without a write mode; `Path.read_text`/`read_bytes`; `json.load`,
  `pickle.load`, `yaml.safe_load`, `tomllib.load`, `numpy.load`, `torch.load`;
  pandas `read_*`; `os.listdir`/`scandir`/`walk`, `glob.glob`; file objects' `read*`.
- subprocess: everything in `subprocess`; `os.system`, `os.popen`, `os.exec*`,
  `os.spawn*`, `os.posix_spawn*`; `asyncio.create_subprocess_exec/shell`.
- network: everything in `requests`, `httpx`, `urllib.request`, `urllib3`,
  `http.client`, `socket`, `aiohttp`, `ftplib`, `smtplib`, `websockets`.
- "" for everything else.
"""

from __future__ import annotations

import re
import sys

# Exact renames first, then prefix renames (longest first).
_RENAMES = {
    "_io.open": "builtins.open",
    "io.open": "builtins.open",
    "_functools.functools.partial": "functools.partial",
}
_PREFIXES = (
    ("pathlib._local.", "pathlib."),
    ("posixpath.", "os.path."),
    ("ntpath.", "os.path."),
    ("genericpath.", "os.path."),
    ("posix.", "os."),
    ("nt.", "os."),
)

OPEN_FUNCTIONS = {  # qualname -> index of the positional `mode` argument
    "builtins.open": 1, "codecs.open": 1, "gzip.open": 1, "bz2.open": 1, "lzma.open": 1,
    "tarfile.open": 1, "os.fdopen": 1,
}
OPEN_METHODS = {"open": 0}          # pathlib.*Path.open(mode)
WRITE_MODE_CHARS = set("wax+")
WRITE_SUFFIX = "#write"

_WRITE = {
    "json.dump", "pickle.dump", "marshal.dump", "yaml.dump", "yaml.safe_dump", "yaml.dump_all",
    "toml.dump", "tomli_w.dump", "numpy.save", "numpy.savez", "numpy.savez_compressed",
    "numpy.savetxt", "torch.save", "shutil.copy", "shutil.copy2", "shutil.copyfile",
    "shutil.copyfileobj", "shutil.copytree", "shutil.move", "shutil.rmtree",
    "os.makedirs", "os.mkdir", "os.remove", "os.unlink", "os.rename", "os.renames",
    "os.replace", "os.rmdir", "os.removedirs", "os.truncate", "os.symlink", "os.link",
    "os.chmod", "os.chown", "os.write", "os.utime",
}
_READ = {
    "json.load", "pickle.load", "marshal.load", "yaml.load", "yaml.safe_load", "yaml.full_load",
    "yaml.load_all", "yaml.safe_load_all", "toml.load", "tomllib.load", "tomli.load",
    "numpy.load", "numpy.loadtxt", "numpy.genfromtxt", "numpy.fromfile", "torch.load",
    "os.listdir", "os.scandir", "os.walk", "os.read", "glob.glob", "glob.iglob",
}
_PATH_WRITE = {"write_text", "write_bytes", "mkdir", "touch", "unlink", "rmdir", "rename",
               "replace", "symlink_to", "hardlink_to", "chmod"}
_PATH_READ = {"read_text", "read_bytes", "iterdir", "glob", "rglob"}
_FRAME_WRITE = {"to_csv", "to_parquet", "to_json", "to_excel", "to_pickle", "to_feather",
                "to_hdf", "to_sql", "to_stata", "to_orc", "to_xml"}
_FILE_WRITE = {"write", "writelines"}
_FILE_READ = {"read", "readline", "readlines"}
_SUBPROCESS_MODULES = ("subprocess.",)
_SUBPROCESS = {"os.system", "os.popen", "asyncio.create_subprocess_exec",
               "asyncio.create_subprocess_shell", "asyncio.subprocess.create_subprocess_exec",
               "asyncio.subprocess.create_subprocess_shell"}
_SUBPROCESS_PREFIXES = ("os.exec", "os.spawn", "os.posix_spawn")
_NETWORK_MODULES = ("requests", "httpx", "urllib.request", "urllib3", "http.client", "socket",
                    "aiohttp", "ftplib", "smtplib", "websockets")
# Exception classes in an I/O module (subprocess.CalledProcessError) do no I/O themselves.
_EXCEPTION_NAME = re.compile(r"\.[A-Z]\w*(Error|Exception|Warning|Expired)$")


def normalise(qualname: str) -> str:
    """The public spelling of an astroid qualname (`posix.system` -> `os.system`)."""
    if qualname in _RENAMES:
        return _RENAMES[qualname]
    for old, new in _PREFIXES:
        if qualname.startswith(old):
            return new + qualname[len(old):]
    head, _, rest = qualname.partition(".")
    if rest and head.startswith("_") and head[1:] in sys.stdlib_module_names:
        return _RENAMES.get(f"{head[1:]}.{rest}", f"{head[1:]}.{rest}")
    return qualname


def io_of(qualname: str) -> str:
    """read | write | subprocess | network | "" for a normalised qualname."""
    if qualname.endswith(WRITE_SUFFIX):
        return "write"
    if qualname in OPEN_FUNCTIONS:
        return "read"
    if qualname in _WRITE:
        return "write"
    if qualname in _READ:
        return "read"
    if _EXCEPTION_NAME.search(qualname):
        return ""
    if qualname in _SUBPROCESS or qualname.startswith(_SUBPROCESS_PREFIXES + _SUBPROCESS_MODULES):
        return "subprocess"
    if any(qualname == m or qualname.startswith(m + ".") for m in _NETWORK_MODULES):
        return "network"
    return _method_io(qualname)


def _method_io(qualname: str) -> str:
    owner, _, method = qualname.rpartition(".")
    module = owner.partition(".")[0]
    cls = owner.rpartition(".")[2]
    if module == "pathlib" and cls.endswith("Path"):
        if method in _PATH_WRITE:
            return "write"
        if method in _PATH_READ or method in OPEN_METHODS:
            return "read"
    if module == "pandas":
        if cls in ("DataFrame", "Series", "NDFrame") and method in _FRAME_WRITE:
            return "write"
        if method.startswith("read_"):
            return "read"
    if module in ("io", "_io", "codecs", "gzip", "bz2", "lzma", "tempfile"):
        if method in _FILE_WRITE:
            return "write"
        if method in _FILE_READ:
            return "read"
    return ""


def open_mode_position(qualname: str) -> int | None:
    """Where the mode argument of an open-like call sits, None if it is not one."""
    if qualname in OPEN_FUNCTIONS:
        return OPEN_FUNCTIONS[qualname]
    owner, _, method = qualname.rpartition(".")
    if owner.startswith("pathlib.") and owner.endswith("Path") and method in OPEN_METHODS:
        return OPEN_METHODS[method]
    return None


def is_write_mode(mode: str) -> bool:
    """`w`, `a`, `x` or `+` before any `:` (tarfile's "r:xz" only reads)."""
    return bool(WRITE_MODE_CHARS & set(mode.partition(":")[0]))
