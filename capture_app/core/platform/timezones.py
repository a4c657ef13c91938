"""IANA time-zone names: which ones this machine knows."""
from __future__ import annotations


def valid_timezone(name: str) -> bool:
    """An IANA time-zone name this machine knows (``Europe/Berlin``); paths are not names."""
    if not isinstance(name, str) or not name or name.startswith("/") or ".." in name:
        return False
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True
