"""Compiled code of dataclass methods, kept between starts like Python keeps ``.pyc`` files.

Python writes the methods of every ``@dataclass`` (``__init__``, ``__repr__``, ``__eq__`` …) as
source text and compiles it each time the class is created — at every start, about a
millisecond per class; the wizard needs two dozen of them before it can appear. Compiling the
same text always gives the same code, so the code objects are kept in one file in the cache
folder, keyed by their source text, and reused.

Only the ``exec`` that :mod:`dataclasses` calls is replaced (a module global that shadows the
builtin); everything else about dataclasses is untouched. The file is tied to this Python's
bytecode version and is only an optimisation: a missing, stale or damaged file — or one that
is not the agent's own or that others may write — means the text is compiled as before, and
the file is written anew.
"""
from __future__ import annotations

import builtins
import dataclasses
import importlib.util
import marshal
import os
import types
from pathlib import Path

FILE_NAME = "dataclass-code.bin"
MAX_ENTRIES = 4000  # far above what the app creates; a bound in case something loops

_state: dict = {"path": None, "codes": {}, "new": 0, "compiled": 0}


def _cached_exec(source, globals=None, locals=None, /):
    if isinstance(source, str):
        codes = _state["codes"]
        code = codes.get(source)
        if code is None:
            code = compile(source, "<string>", "exec")
            _state["compiled"] += 1
            if len(codes) < MAX_ENTRIES:
                codes[source] = code
                _state["new"] += 1
        source = code
    return builtins.exec(source, globals, locals)


def install(cache_dir: Path | None) -> None:
    """Serve dataclass code from ``cache_dir`` (None: only within this process)."""
    path = Path(cache_dir) / FILE_NAME if cache_dir else None
    _state.update(path=path, codes=_load(path) if path else {}, new=0, compiled=0)
    dataclasses.exec = _cached_exec  # the name dataclasses looks up before the builtin


def uninstall() -> None:
    if getattr(dataclasses, "exec", None) is _cached_exec:
        del dataclasses.exec
    _state.update(path=None, codes={}, new=0, compiled=0)


def compiled_count() -> int:
    """How many method texts had to be compiled since :func:`install` (tests, benchmarks)."""
    return _state["compiled"]


def save() -> bool:
    """Write the file if new code was compiled; False if nothing was written."""
    path = _state["path"]
    if path is None or not _state["new"]:
        return False
    try:
        payload = marshal.dumps((importlib.util.MAGIC_NUMBER, _state["codes"]))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(payload)
        if os.name != "nt":
            os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except (OSError, ValueError):
        return False
    _state["new"] = 0
    return True


def _trusted(path: Path) -> bool:
    """Code is only taken from a file of the agent's own that nobody else may change (as SSH
    treats its keys); on Windows the folder under the profile already is the agent's alone."""
    if os.name == "nt":
        return True
    try:
        info = path.stat()
    except OSError:
        return False
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def _load(path: Path) -> dict:
    if not _trusted(path):
        return {}
    try:
        magic, codes = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if magic != importlib.util.MAGIC_NUMBER or not isinstance(codes, dict):
        return {}  # another Python wrote it
    return {text: code for text, code in codes.items()
            if isinstance(text, str) and isinstance(code, types.CodeType)}
