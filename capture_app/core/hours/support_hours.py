"""When Flexperto support is reachable, and a sentence about it in the agent's own time.

The hours are stated in the support's time zone (Europe/Berlin by default): support days with
an opening and a closing time, the public holidays of one region (from the maintained
``holidays`` package, e.g. Berlin's Frauentag on 8 March), and the organisation's own
exceptions — extra closed days and changed hours. Precedence, most specific first: an extra
closed day, changed hours for that date, a public holiday, changed hours for that weekday, the
regular hours.

Every instant is compared and subtracted in UTC. Two aware datetimes sharing one ``ZoneInfo``
compare by wall-clock time in Python, which is wrong across a daylight-saving switch (a Friday
18:00 to Monday 09:00 gap is an hour shorter in the spring). All functions take ``now`` (an
aware datetime), so the clock is whatever the caller says it is.
"""
from __future__ import annotations

import json
import math
import os
import re
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from capture_app.core.platform import i18n

if TYPE_CHECKING:
    from capture_app.core.platform.config import ConfigProblem

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Far enough to cross the longest closure an organisation would configure (year-end breaks).
SEARCH_DAYS = 400
UPCOMING_DAYS = 42

_TIME = r"([01]?[0-9]|2[0-9]):([0-5][0-9])"
_HOURS = re.compile(rf"\s*{_TIME}\s*[-–]\s*{_TIME}\s*")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_YEARLY = re.compile(r"(\d{2})-(\d{2})")
_REGION = re.compile(r"([A-Za-z]{2,3})(?:-(.+))?")


class HolidaysUnavailable(Exception):
    """The ``holidays`` package could not be loaded (a damaged installation)."""


@dataclass(frozen=True)
class Period:
    """One stretch of support time; both ends are aware datetimes in UTC."""

    opens: datetime
    closes: datetime

    def contains(self, moment: datetime) -> bool:
        return self.opens <= moment < self.closes


@dataclass(frozen=True)
class Closure:
    """Why support is closed on a day it would otherwise be open."""

    day: date
    reason: str  # "holiday" | "closed_day"
    name: str = ""  # the holiday's name, in the language asked for


@dataclass(frozen=True)
class ChangedDay:
    day: date
    opens: time
    closes: time


class HolidayCalendar:
    """Public holidays of one region, loaded lazily per language and year (names are
    translated), through the holiday cache (see :class:`_HolidayCache`)."""

    def __init__(self, country: str = "", subdivision: str | None = None) -> None:
        self.country = country
        self.subdivision = subdivision
        self._years: dict[tuple[str, int], dict[str, str]] = {}

    @property
    def region(self) -> str:
        if not self.country:
            return ""
        return f"{self.country}-{self.subdivision}" if self.subdivision else self.country

    def name(self, day: date, language: str | None = None) -> str | None:
        if not self.country:
            return None
        return self._year(language or i18n.current_language(), day.year).get(day.isoformat())

    def _year(self, language: str, year: int) -> dict[str, str]:
        key = (language, year)
        if key not in self._years:
            self._years[key] = _HolidayCache.for_region(self.country, self.subdivision).year(
                language, year, lambda: self._compute(language, year))
        return self._years[key]

    def _compute(self, language: str, year: int) -> dict[str, str]:
        holidays = _import_holidays()
        entity = holidays.country_holidays(self.country, subdiv=self.subdivision)
        supported = getattr(entity, "supported_languages", ()) or ()
        wanted = {"de": ("de",), "en": ("en_US", "en_GB", "en")}.get(language, (language,))
        chosen = next((code for code in wanted if code in supported), None)
        named = holidays.country_holidays(self.country, subdiv=self.subdivision, language=chosen,
                                          years=year)
        return {day.isoformat(): name for day, name in sorted(named.items()) if day.year == year}


class _HolidayCache:
    """Holiday names per region, language and year, and a country's subdivisions, kept as JSON
    in the app's cache folder (``tomlcache.cache_dir()``).

    The ``holidays`` package loads hundreds of modules (about 20 MB) for any one country; an app
    idling in the tray all day needs a few dates from it. So a year is computed once and read
    from the cache at later starts. The cache is tied to the installed package's version text
    (a new release may correct a date) and is only an optimisation: a missing or damaged file
    means the package is asked, as before.
    """

    _open: ClassVar[dict[tuple[str, str | None, Path | None], _HolidayCache]] = {}

    def __init__(self, path: Path | None, version: str) -> None:
        self.path = path
        self.version = version
        self.data: dict[str, Any] = {"version": version, "years": {}}
        if path is not None:
            try:
                stored = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(stored, dict) and stored.get("version") == version \
                        and isinstance(stored.get("years"), dict):
                    self.data = stored
            except (OSError, ValueError, RecursionError):
                pass

    @classmethod
    def for_region(cls, country: str, subdivision: str | None) -> _HolidayCache:
        from capture_app.core.platform import tomlcache

        folder = tomlcache.cache_dir()
        key = (country, subdivision, folder)
        if key not in cls._open:
            name = f"holidays-{country}-{subdivision or ''}.json"
            cls._open[key] = cls(folder / name if folder else None, _holidays_version())
        return cls._open[key]

    def year(self, language: str, year: int, compute: Any) -> dict[str, str]:
        key = f"{language}:{year}"
        found = self.data["years"].get(key)
        if isinstance(found, dict) and all(isinstance(v, str) for v in found.values()):
            return found
        found = compute()
        self.data["years"][key] = found
        self._save()
        return cast("dict[str, str]", found)

    def subdivisions(self, compute: Any) -> tuple[str, ...] | None:
        """The country's subdivisions; None: the package does not know the country."""
        if "subdivisions" not in self.data:
            self.data["subdivisions"] = compute()
            self._save()
        found = self.data["subdivisions"]
        return None if found is None else tuple(found)

    def _save(self) -> None:
        if self.path is None or not self.version:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(self.data, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass


def _holidays_version() -> str:
    """The installed ``holidays`` package's version text, read without importing it ("": no
    package found, nothing is cached)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("holidays")
    except (ImportError, ValueError):
        return ""
    if spec is None or not spec.origin:
        return ""
    try:
        return (Path(spec.origin).parent / "version.py").read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _import_holidays() -> Any:
    try:
        import holidays
    except Exception as exc:
        raise HolidaysUnavailable(type(exc).__name__) from exc
    return holidays


def country_subdivisions(country: str) -> tuple[str, ...] | None:
    """The subdivisions the holidays package knows for ``country``; None: an unknown country."""
    def compute() -> list[str] | None:
        holidays = _import_holidays()
        try:
            entity = holidays.country_holidays(country)
        except NotImplementedError:
            return None
        return list(getattr(entity, "subdivisions", ()) or ())

    return _HolidayCache.for_region(country, None).subdivisions(compute)


def parse_region(text: str) -> tuple[str, str | None] | None:
    """``"DE-BE"`` → ``("DE", "BE")``; ``"DE"`` → ``("DE", None)``; ``""`` → ``("", None)``."""
    text = text.strip()
    if not text:
        return "", None
    match = _REGION.fullmatch(text)
    if not match:
        return None
    return match.group(1).upper(), match.group(2)


@dataclass
class SupportHours:
    timezone: zoneinfo.ZoneInfo = field(default_factory=lambda: zoneinfo.ZoneInfo("Europe/Berlin"))
    days: frozenset[int] = frozenset(range(5))
    opens: time = time(9, 0)
    closes: time = time(18, 0)
    holidays: HolidayCalendar = field(default_factory=HolidayCalendar)
    closed_dates: frozenset[date] = frozenset()
    closed_yearly: frozenset[tuple[int, int]] = frozenset()
    changed_dates: Mapping[date, tuple[time, time]] = field(default_factory=dict)
    changed_yearly: Mapping[tuple[int, int], tuple[time, time]] = field(default_factory=dict)
    changed_weekdays: Mapping[int, tuple[time, time]] = field(default_factory=dict)

    # -- one day (in the support's zone)

    def closure_on(self, day: date, language: str | None = None) -> Closure | None:
        """The reason a day is closed although it is a support day or has set hours."""
        if day in self.closed_dates or (day.month, day.day) in self.closed_yearly:
            return Closure(day, "closed_day")
        if self._changed_on_date(day) is not None:
            return None
        name = self.holidays.name(day, language)
        if name is not None:
            return Closure(day, "holiday", name)
        return None

    def hours_on(self, day: date) -> tuple[time, time] | None:
        """Opening and closing time on ``day`` in the support's zone, or None if closed."""
        if day in self.closed_dates or (day.month, day.day) in self.closed_yearly:
            return None
        changed = self._changed_on_date(day)
        if changed is not None:
            return changed
        if self.holidays.name(day) is not None:
            return None
        if day.weekday() not in self.days:
            return None
        return self.changed_weekdays.get(day.weekday(), (self.opens, self.closes))

    def period_on(self, day: date) -> Period | None:
        hours = self.hours_on(day)
        if hours is None:
            return None
        # fold=0: a wall time that does not exist (spring forward) counts with the old offset.
        opens = datetime.combine(day, hours[0], tzinfo=self.timezone).astimezone(timezone.utc)
        closes = datetime.combine(day, hours[1], tzinfo=self.timezone).astimezone(timezone.utc)
        return Period(opens, closes) if opens < closes else None

    def _changed_on_date(self, day: date) -> tuple[time, time] | None:
        if day in self.changed_dates:
            return self.changed_dates[day]
        return self.changed_yearly.get((day.month, day.day))

    # -- instants

    def _local_day(self, now: datetime) -> date:
        return _aware(now).astimezone(self.timezone).date()

    def periods(self, now: datetime, days: int = SEARCH_DAYS) -> Iterable[Period]:
        """Periods that end after ``now``, in order, looking at most ``days`` ahead."""
        moment = _utc(now)
        first = self._local_day(now) - timedelta(days=1)
        for offset in range(days + 2):
            period = self.period_on(first + timedelta(days=offset))
            if period is not None and period.closes > moment:
                yield period

    def current_period(self, now: datetime) -> Period | None:
        moment = _utc(now)
        for period in self.periods(now, days=2):
            if period.contains(moment):
                return period
            if period.opens > moment:
                break
        return None

    def is_open(self, now: datetime) -> bool:
        return self.current_period(now) is not None

    def next_opening(self, now: datetime) -> datetime | None:
        """The next instant (UTC) at which support opens, strictly after ``now``."""
        moment = _utc(now)
        for period in self.periods(now):
            if period.opens > moment:
                return period.opens
        return None

    def next_closing(self, now: datetime) -> datetime | None:
        """When the current period ends, or else the end of the next one (UTC)."""
        for period in self.periods(now):
            return period.closes
        return None

    def upcoming_exceptions(self, now: datetime, days: int = UPCOMING_DAYS,
                            language: str | None = None) -> list[Closure | ChangedDay]:
        """Closed support days and changed hours in the next ``days`` days, for the agent to plan."""
        result: list[Closure | ChangedDay] = []
        start = self._local_day(now)
        for offset in range(days):
            day = start + timedelta(days=offset)
            closure = self.closure_on(day, language)
            regular_day = day.weekday() in self.days
            if closure is not None and (regular_day or self._changed_on_date(day) is not None):
                result.append(closure)
                continue
            changed = self._changed_on_date(day)
            if closure is None and changed is not None and changed != self._regular(day):
                result.append(ChangedDay(day, *changed))
        return result

    def _regular(self, day: date) -> tuple[time, time] | None:
        if day.weekday() not in self.days:
            return None
        return self.changed_weekdays.get(day.weekday(), (self.opens, self.closes))

    # -- sentences for the agent

    def sentence(self, now: datetime, agent_zone: str | zoneinfo.ZoneInfo | None = None,
                 language: str | None = None) -> str:
        """"Support erreichbar bis 18:00 Uhr" or "Wieder erreichbar Montag, 09:00 Uhr (in 2 Std. 13 Min.)",

        in the agent's zone, saying "Ihrer Ortszeit" when that clock differs from the support's.
        """
        language = language or i18n.current_language()
        zone = _zone(agent_zone) or self.timezone
        current = self.current_period(now)
        if current is not None:
            return i18n.tr("support_hours.open_until", language=language,
                           when=self._when(current.closes, now, zone, language))
        opening = self.next_opening(now)
        if opening is None:
            return i18n.tr("support_hours.never_open", language=language, days=SEARCH_DAYS)
        return i18n.tr("support_hours.open_again", language=language,
                       when=self._when(opening, now, zone, language, say_today=True),
                       duration=duration_text(opening - _utc(now), language))

    def _when(self, moment: datetime, now: datetime, zone: zoneinfo.ZoneInfo, language: str,
              say_today: bool = False) -> str:
        return _when(moment, now, zone, language,
                     local=not _same_clock(zone, self.timezone, moment), say_today=say_today)

    def closed_reason(self, now: datetime, language: str | None = None) -> str:
        """Why support is closed right now ("Heute ist Feiertag: Karfreitag."), or ""."""
        language = language or i18n.current_language()
        if self.is_open(now):
            return ""
        moment = _aware(now).astimezone(self.timezone)
        today = moment.date()
        closure = self.closure_on(today, language)
        if closure is not None and (today.weekday() in self.days or self._changed_on_date(today)):
            if closure.reason == "holiday":
                return i18n.tr("support_hours.reason_holiday", language=language, name=closure.name)
            return i18n.tr("support_hours.reason_closed_day", language=language)
        hours = self.hours_on(today)
        if hours is None:
            return i18n.tr("support_hours.reason_no_support_day", language=language,
                           weekday=weekday_name(today.weekday(), language))
        if moment.time() < hours[0]:
            return i18n.tr("support_hours.reason_not_yet", language=language)
        return i18n.tr("support_hours.reason_after_hours", language=language)

    def weekly_summary(self, language: str | None = None) -> str:
        """"Mo–Fr 09:00–18:00 Uhr" plus weekdays with their own hours, in the support's zone."""
        language = language or i18n.current_language()
        groups: dict[tuple[time, time], list[int]] = {}
        for weekday in sorted(self.days):
            hours = self.changed_weekdays.get(weekday, (self.opens, self.closes))
            groups.setdefault(hours, []).append(weekday)
        parts = [i18n.tr("support_hours.days_hours", language=language,
                         days=_day_ranges(days, language), opens=_hhmm(hours[0]),
                         closes=_hhmm(hours[1]))
                 for hours, days in groups.items()]
        return "; ".join(parts)

    def local_hours_note(self, now: datetime, agent_zone: str | zoneinfo.ZoneInfo | None,
                         language: str | None = None) -> str:
        """The next period in the agent's zone ("15:00–00:00 Uhr Ihrer Ortszeit"), when zones differ."""
        language = language or i18n.current_language()
        zone = _zone(agent_zone)
        if zone is None or _same_clock(zone, self.timezone, _utc(now)):
            return ""
        period = self.current_period(now) or next(iter(self.periods(now)), None)
        if period is None:
            return ""
        return i18n.tr("support_hours.in_local_time", language=language,
                       opens=period.opens.astimezone(zone).strftime("%H:%M"),
                       closes=period.closes.astimezone(zone).strftime("%H:%M"),
                       zone=getattr(zone, "key", str(zone)))


# --- Formatting -----------------------------------------------------------------------------


def weekday_name(weekday: int, language: str | None = None) -> str:
    return i18n.tr(f"support_hours.weekday.{WEEKDAYS[weekday]}", language=language)


def _weekday_short(weekday: int, language: str | None) -> str:
    return i18n.tr(f"support_hours.weekday_short.{WEEKDAYS[weekday]}", language=language)


def _day_ranges(days: list[int], language: str | None) -> str:
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{_weekday_short(run[0], language)}–{_weekday_short(run[-1], language)}")
        else:
            parts.extend(_weekday_short(day, language) for day in run)
    return ", ".join(parts)


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def date_text(day: date, language: str | None = None) -> str:
    """"Freitag, 25.12.2026" / "Friday, 25 Dec 2026"."""
    month = i18n.tr(f"support_hours.month.m{day.month}", language=language)
    return i18n.tr("support_hours.date", language=language, weekday=weekday_name(day.weekday(), language),
                   day=day.day, dd=f"{day.day:02d}", mm=f"{day.month:02d}", month=month, year=day.year)


def _when(moment: datetime, now: datetime, zone: zoneinfo.ZoneInfo, language: str,
          local: bool = False, say_today: bool = False) -> str:
    """The instant as the agent reads it: "18:00 Uhr", "morgen, 09:00 Uhr", "Montag, 09:00 Uhr".

    ``local`` adds "Ihrer Ortszeit", for an agent whose clock is not the support's;
    ``say_today`` writes "heute, 09:00 Uhr" rather than just the time.
    """
    suffix = "_local" if local else ""
    there = moment.astimezone(zone)
    today = _aware(now).astimezone(zone).date()
    clock = there.strftime("%H:%M")
    gap = (there.date() - today).days
    if gap == 0 and not say_today:
        return i18n.tr(f"support_hours.at_time{suffix}", language=language, time=clock)
    if gap == 0:
        day = i18n.tr("support_hours.today", language=language)
    elif gap == 1:
        day = i18n.tr("support_hours.tomorrow", language=language)
    elif 1 < gap < 7:
        day = weekday_name(there.weekday(), language)
    else:
        month = i18n.tr(f"support_hours.month.m{there.month}", language=language)
        day = i18n.tr("support_hours.day_and_date", language=language,
                      weekday=weekday_name(there.weekday(), language), day=there.day,
                      dd=f"{there.day:02d}", mm=f"{there.month:02d}", month=month)
    return i18n.tr(f"support_hours.at_day_time{suffix}", language=language, day=day, time=clock)


def duration_text(span: timedelta, language: str | None = None) -> str:
    """"2 Std. 13 Min." / "2 h 13 min"; two units at most, minutes rounded up."""
    minutes = max(1, math.ceil(span.total_seconds() / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts: list[str] = []
    if days:
        parts.append(i18n.tr("support_hours.days_one" if days == 1 else "support_hours.days_many",
                             language=language, n=days))
        if hours:
            parts.append(i18n.tr("support_hours.hours", language=language, n=hours))
    elif hours:
        parts.append(i18n.tr("support_hours.hours", language=language, n=hours))
        if minutes:
            parts.append(i18n.tr("support_hours.minutes", language=language, n=minutes))
    else:
        parts.append(i18n.tr("support_hours.minutes", language=language, n=minutes))
    return " ".join(parts)


def _same_clock(a: zoneinfo.ZoneInfo, b: zoneinfo.ZoneInfo, moment: datetime) -> bool:
    return moment.astimezone(a).utcoffset() == moment.astimezone(b).utcoffset()


def _zone(value: str | zoneinfo.ZoneInfo | None) -> zoneinfo.ZoneInfo | None:
    if value is None or isinstance(value, zoneinfo.ZoneInfo):
        return value
    try:
        return zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("support hours need an aware datetime (with a time zone)")
    return moment


def _utc(moment: datetime) -> datetime:
    return _aware(moment).astimezone(timezone.utc)


# --- Reading the organisation's settings ----------------------------------------------------


def parse_hours(text: str) -> tuple[time, time] | str:
    """``"09:00-14:00"`` → times, or a reason key (``format``, ``time``, ``order``)."""
    match = _HOURS.fullmatch(text)
    if not match:
        return "format"
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23:
        return "time"
    opens, closes = time(h1, m1), time(h2, m2)
    if opens >= closes:
        return "order"
    return opens, closes


def _parse_date(text: str) -> date | None:
    match = _DATE.fullmatch(text.strip())
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _parse_yearly(text: str) -> tuple[int, int] | None:
    match = _YEARLY.fullmatch(text.strip())
    if not match:
        return None
    month, day = int(match.group(1)), int(match.group(2))
    try:
        date(2024, month, day)  # a leap year, so 02-29 is allowed
    except ValueError:
        return None
    return month, day


@dataclass
class _Problems:
    """Collects problems as ``ConfigProblem``s, with file and line of the offending setting."""

    config: Any
    found: list[ConfigProblem] = field(default_factory=list)
    _texts: dict[Path, str] = field(default_factory=dict)

    def add(self, key: str, message_key: str, **params: Any) -> None:
        from capture_app.core.platform.config import ERROR, ConfigProblem, find_line

        layer = self.config.source(key)
        path = _layer_file(self.config, layer)
        line = None
        if path is not None:
            if path not in self._texts:
                try:
                    self._texts[path] = Path(path).read_text(encoding="utf-8-sig")
                except (OSError, UnicodeDecodeError):
                    self._texts[path] = ""
            line = find_line(self._texts[path], key)
        self.found.append(ConfigProblem(ERROR, message_key, params, path, line, key,
                                        layer if layer != "default" else None))


def _layer_file(config: Any, layer: str) -> Path | None:
    if layer == "organisation":
        return cast("Path | None", config.paths.system_config_file)
    if layer == "agent":
        return cast("Path | None", config.paths.user_config_file)
    return None


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def load_support_hours(config: Any) -> tuple[SupportHours, list[Any]]:
    """The support hours in effect, and every problem found in the exceptions and the region.

    Times and the time zone are already checked by the configuration (a bad value there falls
    back to the layer below with its own message); this checks what the configuration cannot:
    that the holiday region exists and that each exception entry makes sense. A bad entry is
    skipped and named; a region that does not exist is replaced by the built-in one.
    """
    from capture_app.core.platform.config import settings_table

    problems = _Problems(config)
    hours = SupportHours(
        timezone=zoneinfo.ZoneInfo(config.get("support.timezone")),
        days=frozenset(WEEKDAYS.index(day) for day in config.get("support.days")),
        opens=time.fromisoformat(config.get("support.opens")),
        closes=time.fromisoformat(config.get("support.closes")),
    )
    hours.holidays = _load_region(config, problems,
                                  settings_table()["support.holiday_region"].default)
    _load_closed_days(config, hours, problems)
    _load_changed_hours(config, hours, problems)
    return hours, problems.found


def _load_region(config: Any, problems: _Problems, fallback: str) -> HolidayCalendar:
    key = "support.holiday_region"
    value = config.get(key)
    parsed = parse_region(value)
    if parsed is not None and not parsed[0]:
        return HolidayCalendar()
    if parsed is not None:
        country, subdivision = parsed
        try:
            subdivisions = country_subdivisions(country)
        except HolidaysUnavailable as exc:
            problems.add(key, "support_hours.holidays_unavailable", detail=str(exc))
            return HolidayCalendar()
        if subdivisions is not None:
            matched = _match_subdivision(subdivision, subdivisions)
            if subdivision is None or matched is not None:
                return HolidayCalendar(country, matched)
            problems.add(key, "support_hours.bad_subdivision", value=_quoted(value),
                         country=country, known=", ".join(subdivisions), fallback=fallback)
            return _fallback_calendar(fallback)
    problems.add(key, "support_hours.bad_region", value=_quoted(value), fallback=fallback)
    return _fallback_calendar(fallback)


def _match_subdivision(wanted: str | None, known: tuple[str, ...]) -> str | None:
    if wanted is None:
        return None
    for candidate in known:
        if candidate.casefold() == wanted.casefold():
            return candidate
    return None


def _fallback_calendar(region: str) -> HolidayCalendar:
    country, subdivision = parse_region(region) or ("", None)
    return HolidayCalendar(country, subdivision)


def _load_closed_days(config: Any, hours: SupportHours, problems: _Problems) -> None:
    key = "support.closed_days"
    dates: set[date] = set()
    yearly: set[tuple[int, int]] = set()
    for entry in config.get(key):
        text = entry.strip()
        if ".." in text:
            start_text, _, end_text = text.partition("..")
            start, end = _parse_date(start_text), _parse_date(end_text)
            if start is None or end is None:
                problems.add(key, "support_hours.bad_closed_day", value=_quoted(entry))
                continue
            if end < start or (end - start).days > 366:
                problems.add(key, "support_hours.bad_closed_range", value=_quoted(entry))
                continue
            dates.update(start + timedelta(days=n) for n in range((end - start).days + 1))
            continue
        single = _parse_date(text)
        if single is not None:
            dates.add(single)
            continue
        every_year = _parse_yearly(text)
        if every_year is not None:
            yearly.add(every_year)
            continue
        problems.add(key, "support_hours.bad_closed_day", value=_quoted(entry))
    hours.closed_dates = frozenset(dates)
    hours.closed_yearly = frozenset(yearly)


def _load_changed_hours(config: Any, hours: SupportHours, problems: _Problems) -> None:
    key = "support.changed_hours"
    by_date: dict[date, tuple[time, time]] = {}
    by_yearly: dict[tuple[int, int], tuple[time, time]] = {}
    by_weekday: dict[int, tuple[time, time]] = {}
    for entry in config.get(key):
        day_text, _, hours_text = entry.strip().partition(" ")
        parsed = parse_hours(hours_text) if hours_text.strip() else "format"
        if isinstance(parsed, str):
            problems.add(key, f"support_hours.bad_changed_hours_{parsed}", value=_quoted(entry))
            continue
        day_key = day_text.strip().lower()
        if day_key in WEEKDAYS:
            weekday = WEEKDAYS.index(day_key)
            if weekday not in hours.days:
                problems.add(key, "support_hours.changed_weekday_not_support_day",
                             value=_quoted(entry), weekday=day_key)
                continue
            by_weekday[weekday] = parsed
            continue
        single = _parse_date(day_text)
        if single is not None:
            by_date[single] = parsed
            continue
        every_year = _parse_yearly(day_text)
        if every_year is not None:
            by_yearly[every_year] = parsed
            continue
        problems.add(key, "support_hours.bad_changed_hours_format", value=_quoted(entry))
    hours.changed_dates = by_date
    hours.changed_yearly = by_yearly
    hours.changed_weekdays = by_weekday


def default_support_hours() -> SupportHours:
    """Flexperto's published hours (Mon–Fri 09:00–18:00 Berlin, Berlin holidays), for callers without a config."""
    return SupportHours(holidays=HolidayCalendar("DE", "BE"))


def phone_uri(number: str) -> str:
    """``tel:`` URI of a phone number as written in the settings ("+49 30 2206623 33")."""
    digits = re.sub(r"[^0-9+]", "", number)
    return f"tel:{digits}"
