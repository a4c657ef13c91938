"""The agent's time zone as the operating system reports it (through Qt)."""
from __future__ import annotations


def local_timezone_name() -> str:
    """The agent's IANA time zone, from the OS; Europe/Berlin when it cannot be told."""
    try:
        from PySide6.QtCore import QTimeZone

        name = bytes(QTimeZone.systemTimeZoneId().data()).decode()
    except Exception:  # noqa: BLE001
        name = ""
    from capture_app.core.platform.timezones import valid_timezone

    return name if valid_timezone(name) else "Europe/Berlin"
