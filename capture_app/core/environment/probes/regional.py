"""Locale, languages, time zone and UTC offset (the offset matters for the time of the error)."""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from capture_app.core.environment.probes.base import (
    Probe,
    ProbeFailed,
    Value,
    unknown,
    windows_registry,
)
from capture_app.core.environment.probes.host import MACOS, WINDOWS, Host

INTERNATIONAL = r"HKCU\Control Panel\International"
TIME_ZONE_KEY = r"HKLM\SYSTEM\CurrentControlSet\Control\TimeZoneInformation"
GLOBAL_PREFERENCES = "Library/Preferences/.GlobalPreferences.plist"

# Windows names of the zones this app's users live in (CLDR windowsZones, "001" territory).
WINDOWS_ZONES = {
    "W. Europe Standard Time": "Europe/Berlin",
    "Central Europe Standard Time": "Europe/Budapest",
    "Central European Standard Time": "Europe/Warsaw",
    "Romance Standard Time": "Europe/Paris",
    "GMT Standard Time": "Europe/London",
    "UTC": "Etc/UTC",
    "E. Europe Standard Time": "Europe/Chisinau",
    "FLE Standard Time": "Europe/Kiev",
    "GTB Standard Time": "Europe/Bucharest",
    "Turkey Standard Time": "Europe/Istanbul",
    "Eastern Standard Time": "America/New_York",
    "Pacific Standard Time": "America/Los_Angeles",
}


def format_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


class LocaleProbe(Probe):
    name = "locale"
    keys = ("locale.system", "locale.languages")
    timeout = 2.0

    def __init__(self, host: Host) -> None:
        self.host = host

    def run(self) -> Mapping[str, Value]:
        if self.host.system == WINDOWS:
            registry = windows_registry(self.host)
            name = registry.value(INTERNATIONAL, "LocaleName")
            languages = registry.value(INTERNATIONAL + r"\User Profile", "Languages")
            return {"locale.system": str(name) if name else unknown("not_reported"),
                    "locale.languages": str(languages) if languages else unknown("not_reported")}
        if self.host.system == MACOS:
            if self.host.mac is None:
                raise ProbeFailed("not_available")
            prefs = self.host.mac.user_plist(GLOBAL_PREFERENCES)
            languages = prefs.get("AppleLanguages")
            return {"locale.system": str(prefs.get("AppleLocale") or "") or unknown("not_reported"),
                    "locale.languages": "; ".join(map(str, languages)) if isinstance(languages, list)
                    and languages else unknown("not_reported")}
        env = self.host.env
        name = env.get("LC_ALL") or env.get("LC_MESSAGES") or env.get("LANG") or ""
        languages = [part for part in env.get("LANGUAGE", "").split(":") if part]
        return {"locale.system": name or unknown("not_set", setting="LANG"),
                "locale.languages": "; ".join(languages) or (name.split(".")[0] if name else "")
                or unknown("not_set", setting="LANGUAGE")}


class TimeZoneProbe(Probe):
    name = "timezone"
    keys = ("timezone.name", "timezone.utc_offset")
    timeout = 2.0

    def __init__(self, host: Host, now: Callable[[], datetime] | None = None) -> None:
        self.host = host
        self.now = now or (lambda: datetime.now(timezone.utc))

    def _offset_of(self, name: str) -> Value:
        try:
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return unknown("unknown_zone", zone=name)
        return format_offset(self.now().astimezone(zone).utcoffset() or timedelta(0))

    def run(self) -> Mapping[str, Value]:
        if self.host.system == WINDOWS:
            registry = windows_registry(self.host)
            name = registry.value(TIME_ZONE_KEY, "TimeZoneKeyName")
            bias = registry.value(TIME_ZONE_KEY, "ActiveTimeBias")
            if not isinstance(name, str):
                raise ProbeFailed("registry_missing", key=TIME_ZONE_KEY)
            iana = WINDOWS_ZONES.get(name)
            shown = f"{name} ({iana})" if iana else name
            if isinstance(bias, int):
                bias = bias - 2 ** 32 if bias >= 2 ** 31 else bias  # a DWORD holding a negative number
                offset: Value = format_offset(timedelta(minutes=-bias))
            else:
                offset = self._offset_of(iana) if iana else unknown("not_reported")
            return {"timezone.name": shown, "timezone.utc_offset": offset}
        name = self._posix_zone()
        if not name:
            if self.host.root.as_posix() == "/":
                local = datetime.now().astimezone()
                return {"timezone.name": local.tzname() or unknown("not_reported"),
                        "timezone.utc_offset": format_offset(local.utcoffset() or timedelta(0))}
            raise ProbeFailed("not_reported")
        return {"timezone.name": name, "timezone.utc_offset": self._offset_of(name)}

    def _posix_zone(self) -> str:
        explicit = self.host.env.get("TZ", "").lstrip(":")
        if explicit and "/" in explicit and not explicit.startswith("/"):
            return explicit
        try:
            target = os.readlink(self.host.path("/etc/localtime"))
        except OSError:
            target = ""
        if "zoneinfo/" in target:
            return target.split("zoneinfo/", 1)[1]
        if self.host.system != MACOS:
            try:
                return self.host.read_text("/etc/timezone").strip()
            except OSError:
                pass
        return ""
