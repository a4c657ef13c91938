"""Atomic file writes and safe file names.

Files are never rewritten in place: they are written under a temporary name in the same
folder, flushed and fsynced, then renamed over the target, so a crash or power cut leaves
either the old or the new content, never a mix.
"""
from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

MAX_NAME_LENGTH = 120
_SURROGATE = re.compile("[\ud800-\udfff]")
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
# Bidirectional overrides and isolates can make "gpj.exe" read as "exe.jpg".
_BIDI_AND_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_WINDOWS_RESERVED = {
    "CON", "PRN", "AUX", "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}


def fsync_dir(directory: Path) -> None:
    if os.name == "nt":  # directories cannot be opened for fsync on Windows
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(target: Path, data: bytes) -> None:
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(target.parent)


def atomic_write_text(target: Path, text: str) -> None:
    atomic_write_bytes(target, text.encode("utf-8"))


def sanitize_filename(name: str, fallback: str = "datei") -> str:
    """A file name safe on every OS and inside a zip: no separators, no ``..``, NFC, bounded."""
    name = name or ""
    # Keep only the last path component, whichever separator was used (first, so the rest of
    # a hostile megabyte-long path is never normalised or split into pieces).
    name = name[max(name.rfind("/"), name.rfind("\\")) + 1:]
    name = unicodedata.normalize("NFC", name)
    name = _BIDI_AND_INVISIBLE.sub("", name)
    name = _FORBIDDEN.sub("_", name)
    name = name.strip(" .")
    while ".." in name:
        name = name.replace("..", ".")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if stem.upper() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    if not stem:
        stem = fallback
    ext = ext[:16]
    room = MAX_NAME_LENGTH - (len(ext) + 1 if ext else 0)
    stem = stem[:room].rstrip(" .") or fallback
    return f"{stem}.{ext}" if ext else stem


def unique_name(name: str, taken: set[str]) -> str:
    """``name`` or ``name (2).ext`` … so that two evidence files never collide (case-insensitive)."""
    lowered = {t.lower() for t in taken}
    if name.lower() not in lowered:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    counter = 2
    while True:
        candidate = f"{stem} ({counter}).{ext}" if ext else f"{stem} ({counter})"
        if candidate.lower() not in lowered:
            return candidate
        counter += 1


def file_system_now(folder: Path) -> float:
    """The time the file system stamps a file written in ``folder`` now.

    File ages are measured against this, not against this computer's clock: a profile folder on
    a network share is stamped by the file server's clock, which may be minutes off (and a test
    may move this process's clock). Falls back to this computer's clock where nothing can be
    written.
    """
    import tempfile
    import time

    try:
        handle, name = tempfile.mkstemp(prefix=".clock-", suffix=".probe", dir=folder)
    except OSError:
        return time.time()
    try:
        return os.fstat(handle).st_mtime
    finally:
        os.close(handle)
        try:
            os.unlink(name)
        except OSError:
            pass


def remove_stale(folder: Path, patterns: tuple[str, ...], older_than_s: float) -> int:
    """Files or folders in ``folder`` matching ``patterns`` and untouched for ``older_than_s``:
    what a killed process left half-written. Returns how many were removed.

    Only old ones, so a process still writing (another window, a second instance) keeps its file.
    """
    import shutil

    limit = file_system_now(folder) - older_than_s
    removed = 0
    for pattern in patterns:
        try:
            candidates = list(Path(folder).glob(pattern))
        except OSError:
            continue
        for path in candidates:
            try:
                if path.lstat().st_mtime >= limit:
                    continue
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
                removed += 1
            except OSError:
                continue  # in use (Windows) or gone already: next start
    return removed


# A killed process leaves its half-written file under its temporary name (see the writers):
# the outbox's bundles (core/sending/bundle.py), exports (core/sending/transports/export.py), and the work
# folders of console and HAR imports (ui/evidence/console_import.py).
OUTBOX_LEFTOVERS = (".*.zip.*.tmp",)
EXPORT_LEFTOVERS = (".report-export.*.tmp",)
TEMP_LEFTOVERS = ("report-capture-*",)
# A file still being written changes all the time; one untouched this long was left behind.
LEFTOVER_AGE_S = 600


def remove_killed_run_leftovers(outbox_dir: Path, export_folders: list[Path], temp_dir: Path,
                                older_than_s: float = LEFTOVER_AGE_S) -> int:
    """What killed bundle builds, exports and imports left behind (start-up); returns how many."""
    removed = remove_stale(outbox_dir, OUTBOX_LEFTOVERS, older_than_s)
    for folder in dict.fromkeys(export_folders):
        removed += remove_stale(folder, EXPORT_LEFTOVERS, older_than_s)
    return removed + remove_stale(temp_dir, TEMP_LEFTOVERS, older_than_s)


def without_lone_surrogates(text: str) -> str:
    """``text`` with each lone surrogate (from ``"\\ud83d"`` in JSON, or a broken paste) replaced by
    U+FFFD: no file, database or zip name can hold one in UTF-8."""
    if not text.isascii() and _SURROGATE.search(text):
        return _SURROGATE.sub("\ufffd", text)
    return text
