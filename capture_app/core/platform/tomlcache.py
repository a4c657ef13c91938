"""TOML parsing with a JSON copy of each parsed file, so a normal start needs no TOML parser.

Python's TOML parser is pure Python: importing it and parsing the catalogues and settings is a
noticeable part of the time before the first window. The parsed data of a file is kept as JSON
together with the exact text it came from; the copy is used only when the text is still the
same, so a stale copy can never be read. Data JSON cannot hold (TOML dates and times) is simply
not cached. The cache is an optimisation only: every failure to read or write it is ignored.
"""
from __future__ import annotations

import json
import os
import zlib
from pathlib import Path
from typing import Any, cast

_cache_dir: Path | None = None


def set_cache_dir(folder: Path | None) -> None:
    global _cache_dir
    _cache_dir = Path(folder) if folder else None


def cache_dir() -> Path | None:
    """The app's cache folder (None: nothing is cached), for other caches of parsed data."""
    return _cache_dir


def __getattr__(name: str) -> Any:
    # ``except tomlcache.TOMLDecodeError`` is evaluated only when something was raised, so the
    # parser is still imported only when it is needed.
    if name == "TOMLDecodeError":
        from capture_app.core.platform.tomlcompat import tomllib

        return tomllib.TOMLDecodeError
    raise AttributeError(name)


# The copies are for the app's own small files; a huge text (a hostile or broken settings file)
# is parsed each time rather than copied (twice: text and data) into the cache folder.
MAX_CACHED_CHARS = 256 * 1024


def _cache_file(key: str) -> Path | None:
    if _cache_dir is None:
        return None
    return _cache_dir / f"toml-{zlib.crc32(key.encode('utf-8')):08x}.json"


def loads(text: str, key: str | os.PathLike[Any] | None = None) -> dict[str, Any]:
    """Parse ``text``; ``key`` (usually the file's path) names its cached copy."""
    cache = _cache_file(str(key)) if key is not None and len(text) <= MAX_CACHED_CHARS else None
    if cache is not None:
        try:
            stored = json.loads(cache.read_text(encoding="utf-8"))
            if stored.get("text") == text and stored.get("key") == str(key):
                return cast("dict[str, Any]", stored["data"])
        except (OSError, ValueError, AttributeError, KeyError, RecursionError):
            pass
    from capture_app.core.platform.tomlcompat import tomllib

    data = tomllib.loads(text)
    if cache is not None:
        _store(cache, str(key), text, data)
    return cast("dict[str, Any]", data)


def load_path(path: Path) -> dict[str, Any]:
    return loads(Path(path).read_text(encoding="utf-8"), key=Path(path).resolve())


def _store(cache: Path, key: str, text: str, data: dict[str, Any]) -> None:
    try:
        payload = json.dumps({"key": key, "text": text, "data": data}, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return  # dates or times (or absurd nesting): not representable, parse again next time
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
        tmp.write_text(payload, encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:
        pass
