"""Which reminder about support hours is due, and remembering which ones were shown.

Three kinds, each with its own off switch in the settings (``reminders.<kind>``):

``support_opens``
    Support is open and drafts or reports needing attention are waiting. The occasion is the
    opening instant, so it comes once per support day — also when the computer was switched on
    at ten o'clock.
``before_closing``
    Support closes within ``reminders.before_closing_minutes`` and a draft is open in a wizard.
    The occasion is the closing instant.
``outside_hours``
    The agent starts a report while support is closed: when it opens again, the phone number
    for emergencies, and that queued reports are sent anyway. The occasion is the closed stretch
    (named by its next opening), so three reports on one Saturday bring one notice.

Each reminder is shown once per occasion; the record survives restarts (a small JSON file,
written atomically). A snoozed reminder comes back after ``reminders.snooze_minutes`` if it
still applies. Everything takes ``now``; nothing here reads a clock.
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from capture_app.core.hours.support_hours import SupportHours, duration_text
from capture_app.core.platform import i18n
from capture_app.core.platform.fsutil import atomic_write_text

log = logging.getLogger(__name__)

SUPPORT_OPENS = "support_opens"
BEFORE_CLOSING = "before_closing"
OUTSIDE_HOURS = "outside_hours"
KINDS = (SUPPORT_OPENS, BEFORE_CLOSING, OUTSIDE_HOURS)
STATE_VERSION = 1

# What a click on the reminder opens.
OPEN_DRAFTS = "drafts"
OPEN_OUTBOX = "outbox"
OPEN_WIZARD = "wizard"


@dataclass(frozen=True)
class Waiting:
    """Reports waiting for the agent or for support."""

    drafts: int = 0
    needs_attention: int = 0
    queued: int = 0


@dataclass(frozen=True)
class ReminderSettings:
    support_opens: bool = True
    before_closing: bool = True
    before_closing_minutes: int = 30
    outside_hours: bool = True
    snooze_minutes: int = 15

    @classmethod
    def from_config(cls, config: Any) -> ReminderSettings:
        return cls(
            support_opens=config.get("reminders.support_opens"),
            before_closing=config.get("reminders.before_closing"),
            before_closing_minutes=config.get("reminders.before_closing_minutes"),
            outside_hours=config.get("reminders.outside_hours"),
            snooze_minutes=config.get("reminders.snooze_minutes"),
        )

    def enabled(self, kind: str) -> bool:
        return bool(getattr(self, kind))


@dataclass(frozen=True)
class Reminder:
    kind: str
    occasion: str  # an instant in UTC, ISO 8601: the opening, the closing, the next opening
    title: str
    body: str
    opens: str = OPEN_DRAFTS  # what clicking the reminder shows


@dataclass(frozen=True)
class Situation:
    """What the reminders look at, besides the clock."""

    hours: SupportHours
    waiting: Waiting = Waiting()
    open_drafts: Sequence[str] = ()  # summaries of drafts open in a wizard right now
    agent_zone: str | None = None
    phone: str = ""
    language: str | None = None


class ReminderBook:
    """Which reminder was shown for which occasion, and which are snoozed; kept in one file.

    A file that cannot be read is moved to ``set_aside_dir`` (never deleted) and the book starts
    empty: at worst a reminder comes once more.

    Changes take effect in memory at once, in the order they are made; with ``save=False`` the
    caller writes the file later with :meth:`save` (e.g. off the UI thread). Saves are serialised
    and each writes the state as it is when it runs, so the newest state is the one that stays.
    """

    def __init__(self, path: Path, set_aside_dir: Path | None = None) -> None:
        self.path = Path(path)
        self.set_aside_dir = set_aside_dir
        self._lock = threading.RLock()
        self._save_lock = threading.Lock()
        self._shown: dict[str, str] = {}
        self._snoozed: dict[str, dict[str, str]] = {}
        self.problem: str | None = None
        self._load()

    def _load(self) -> None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            self.problem = f"{self.path}: {exc.strerror or type(exc).__name__}"
            log.warning("reminder state unreadable: %s", self.problem)
            return
        try:
            data = json.loads(raw.decode("utf-8"))
            shown = data["shown"]
            snoozed = data.get("snoozed", {})
            if not (isinstance(shown, dict) and isinstance(snoozed, dict)):
                raise ValueError("wrong shape")
            self._shown = {k: v for k, v in shown.items() if k in KINDS and isinstance(v, str)}
            self._snoozed = {
                k: {"occasion": str(v["occasion"]), "until": str(v["until"])}
                for k, v in snoozed.items()
                if k in KINDS and isinstance(v, dict) and _parse(v.get("until")) is not None
            }
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
            self.problem = f"{self.path}: {type(exc).__name__}"
            log.warning("reminder state damaged, set aside: %s", self.problem)
            self._set_aside()

    def _set_aside(self) -> None:
        if self.set_aside_dir is None:
            return
        try:
            self.set_aside_dir.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
            self.path.replace(self.set_aside_dir / f"{self.path.stem}-{stamp}{self.path.suffix}")
        except OSError as exc:
            log.warning("could not set aside %s: %s", self.path, exc.strerror)

    def save(self) -> None:
        with self._save_lock:
            with self._lock:
                data = {"version": STATE_VERSION, "shown": dict(self._shown),
                        "snoozed": {k: dict(v) for k, v in self._snoozed.items()}}
            try:
                atomic_write_text(self.path, json.dumps(data, indent=1, sort_keys=True) + "\n")
            except OSError as exc:
                # A reminder that might come twice is no reason to interrupt the agent.
                log.warning("reminder state not saved: %s", exc.strerror or type(exc).__name__)

    def is_due(self, kind: str, occasion: str, now: datetime) -> bool:
        """Not yet shown for this occasion, or snoozed for it and the snooze is over."""
        with self._lock:
            snooze = self._snoozed.get(kind)
            if snooze is not None and snooze["occasion"] == occasion:
                until = _parse(snooze["until"])
                return until is not None and now >= until
            return self._shown.get(kind) != occasion

    def snoozed_until(self, kind: str, occasion: str) -> datetime | None:
        with self._lock:
            snooze = self._snoozed.get(kind)
            if snooze is None or snooze["occasion"] != occasion:
                return None
            return _parse(snooze["until"])

    def mark_shown(self, reminder: Reminder, save: bool = True) -> None:
        with self._lock:
            self._shown[reminder.kind] = reminder.occasion
            self._snoozed.pop(reminder.kind, None)
        if save:
            self.save()

    def snooze(self, reminder: Reminder, now: datetime, minutes: int, save: bool = True) -> datetime:
        until = _utc(now) + timedelta(minutes=minutes)
        with self._lock:
            self._shown[reminder.kind] = reminder.occasion
            self._snoozed[reminder.kind] = {"occasion": reminder.occasion, "until": _iso(until)}
        if save:
            self.save()
        return until


def due_reminders(now: datetime, situation: Situation, settings: ReminderSettings,
                  book: ReminderBook) -> list[Reminder]:
    """The reminders to show now, at most one per kind. Call ``book.mark_shown`` once shown."""
    due: list[Reminder] = []
    hours = situation.hours
    period = hours.current_period(now)
    if period is not None:
        waiting = situation.waiting
        if settings.support_opens and (waiting.drafts or waiting.needs_attention):
            occasion = _iso(period.opens)
            if book.is_due(SUPPORT_OPENS, occasion, now):
                due.append(_support_opens(now, occasion, situation))
        left = period.closes - _utc(now)
        if (settings.before_closing and situation.open_drafts
                and left <= timedelta(minutes=settings.before_closing_minutes)):
            occasion = _iso(period.closes)
            if book.is_due(BEFORE_CLOSING, occasion, now):
                due.append(_before_closing(now, occasion, situation, left))
    elif settings.outside_hours and situation.open_drafts:
        # Only a snoozed outside-hours notice comes back by itself; the first one is shown
        # when a report is started (report_started_reminder).
        opening = hours.next_opening(now)
        occasion = _iso(opening) if opening else "never"
        if book.snoozed_until(OUTSIDE_HOURS, occasion) is not None and book.is_due(
                OUTSIDE_HOURS, occasion, now):
            due.append(_outside_hours(now, occasion, situation))
    return due


def report_started_reminder(now: datetime, situation: Situation, settings: ReminderSettings,
                            book: ReminderBook) -> Reminder | None:
    """The outside-hours notice for a report started now, if support is closed and it is due."""
    if not settings.outside_hours or situation.hours.is_open(now):
        return None
    opening = situation.hours.next_opening(now)
    occasion = _iso(opening) if opening else "never"
    if not book.is_due(OUTSIDE_HOURS, occasion, now):
        return None
    return _outside_hours(now, occasion, situation)


# --- Texts ------------------------------------------------------------------------------------


def _tr(key: str, situation: Situation, **params: Any) -> str:
    return i18n.tr(f"reminders.{key}", language=situation.language, **params)


def _waiting_text(waiting: Waiting, situation: Situation) -> str:
    parts = []
    if waiting.drafts:
        parts.append(_tr("drafts_one" if waiting.drafts == 1 else "drafts_many", situation,
                         n=waiting.drafts))
    if waiting.needs_attention:
        parts.append(_tr("attention_one" if waiting.needs_attention == 1 else "attention_many",
                         situation, n=waiting.needs_attention))
    return _tr("and", situation, first=parts[0], second=parts[1]) if len(parts) == 2 else parts[0]


def _support_opens(now: datetime, occasion: str, situation: Situation) -> Reminder:
    waiting = situation.waiting
    body = _tr("support_opens_body", situation,
               status=situation.hours.sentence(now, situation.agent_zone, situation.language),
               waiting=_waiting_text(waiting, situation))
    opens = OPEN_OUTBOX if waiting.needs_attention and not waiting.drafts else OPEN_DRAFTS
    return Reminder(SUPPORT_OPENS, occasion, _tr("support_opens_title", situation), body, opens)


def _before_closing(now: datetime, occasion: str, situation: Situation, left: timedelta) -> Reminder:
    drafts = list(situation.open_drafts)
    if len(drafts) == 1:
        which = _tr("open_draft_one", situation, summary=drafts[0] or _tr("untitled", situation))
    else:
        which = _tr("open_draft_many", situation, n=len(drafts))
    body = _tr("before_closing_body", situation,
               status=situation.hours.sentence(now, situation.agent_zone, situation.language),
               left=duration_text(left, situation.language), drafts=which)
    return Reminder(BEFORE_CLOSING, occasion, _tr("before_closing_title", situation), body,
                    OPEN_WIZARD)


def _outside_hours(now: datetime, occasion: str, situation: Situation) -> Reminder:
    queued = situation.waiting.queued
    queued_text = _tr("queued_now", situation, n=queued) if queued else ""
    body = _tr("outside_hours_body", situation,
               status=situation.hours.sentence(now, situation.agent_zone, situation.language),
               phone=situation.phone, queued=queued_text)
    return Reminder(OUTSIDE_HOURS, occasion, _tr("outside_hours_title", situation), body,
                    OPEN_WIZARD)


# --- Time helpers -----------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("reminders need an aware datetime (with a time zone)")
    return moment.astimezone(timezone.utc)


def _iso(moment: datetime) -> str:
    return _utc(moment).isoformat(timespec="seconds")


def _parse(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def state_file(data_dir: Path) -> Path:
    return Path(data_dir) / "reminders.json"

