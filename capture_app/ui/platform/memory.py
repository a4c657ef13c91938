"""Keeping an app that idles in the tray all day small.

* PySide6 looks at every module imported after it for the word "PySide6", to know which
  modules may use its ``__feature__`` switches. It reads each source with
  ``inspect.getsource``, which leaves every line of every module in ``linecache`` for the rest
  of the process: about 6 MB for this app. :func:`lean_import_checks` makes the same check by
  reading the file once, keeping nothing.
* Start-up parses settings, catalogues and caches and frees most of it again; glibc keeps the
  freed pages. :func:`return_freed_memory` hands them back to the system once the start-up work
  is over (about 3 MB), together with the lines PySide6 read before the lean check was in
  place (``enum`` and PySide6's own start, about 0.2 MB).
"""
from __future__ import annotations

import sys

# Nothing else imported here: every module imported before the lean check is in place stays in
# ``linecache`` (``logging`` alone is ~2300 lines).


def lean_import_checks() -> bool:
    """Make PySide6's per-module source check keep no lines; False if PySide6 has no such check."""
    try:  # PySide6's own support package, importable once PySide6 is loaded
        import shibokensupport.feature as feature  # type: ignore[import-not-found] # no stubs
    except ImportError:
        return False
    original = getattr(feature, "_mod_uses_pyside", None)
    if original is None or getattr(original, "lean", False):
        return False

    def uses_pyside(module) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return bool(original(module))  # built in, frozen or zipped: PySide6's own way
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return False  # as PySide6 answers for a module without a source file

    uses_pyside.lean = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside
    return True


def return_freed_memory() -> bool:
    """Give memory freed since start back to the system (glibc's ``malloc_trim``); False where
    there is no glibc. Source lines cached so far go first: a traceback reads them again."""
    import linecache

    linecache.clearcache()
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # not at start-up: it is called once, ten seconds in

    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library the process runs on
    except (OSError, AttributeError):  # musl and others have no malloc_trim
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim(0)
    return True
