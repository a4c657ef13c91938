"""Reminders about support hours: which one is due when, once per occasion, across restarts,
snoozed, and switched off."""
from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from capture_app.core.hours.reminders import (
    BEFORE_CLOSING,
    OPEN_DRAFTS,
    OPEN_OUTBOX,
    OPEN_WIZARD,
    OUTSIDE_HOURS,
    SUPPORT_OPENS,
    ReminderBook,
    ReminderSettings,
    Situation,
    Waiting,
    due_reminders,
    report_started_reminder,
    state_file,
)
from capture_app.core.hours.support_hours import default_support_hours
from capture_app.core.platform.config import Config

BERLIN = ZoneInfo("Europe/Berlin")
PHONE = "+49 30 2206623 33"


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


@pytest.fixture
def book(app_paths) -> ReminderBook:
    return ReminderBook(state_file(app_paths.data_dir), app_paths.quarantine_dir)


@pytest.fixture
def hours():
    return default_support_hours()


def situation(hours, *, drafts=0, attention=0, queued=0, open_drafts=(), language="de",
              zone="Europe/Berlin") -> Situation:
    return Situation(hours, Waiting(drafts, attention, queued), tuple(open_drafts), zone, PHONE,
                     language)


def due(now, situ, book, settings=ReminderSettings()):
    return due_reminders(now, situ, settings, book)


def show(reminders, book):
    for reminder in reminders:
        book.mark_shown(reminder)
    return reminders


# --- When support opens -----------------------------------------------------------------------


def test_opening_reminder_comes_once_when_support_opens_with_drafts_waiting(hours, book):
    waiting = situation(hours, drafts=2)
    assert due(berlin(2026, 11, 23, 8, 59), waiting, book) == []
    [reminder] = show(due(berlin(2026, 11, 23, 9, 0, 30), waiting, book), book)
    assert reminder.kind == SUPPORT_OPENS and reminder.opens == OPEN_DRAFTS
    assert reminder.title == "Flexperto-Support ist erreichbar"
    assert reminder.body.startswith("Support erreichbar bis 18:00 Uhr. Noch nicht gesendet: 2 Entwürfe.")
    assert due(berlin(2026, 11, 23, 9, 5), waiting, book) == []
    assert due(berlin(2026, 11, 23, 16, 0), waiting, book) == []
    # The next support day is a new occasion.
    [tuesday] = due(berlin(2026, 11, 24, 9, 1), waiting, book)
    assert tuesday.kind == SUPPORT_OPENS and tuesday.occasion != reminder.occasion


def test_no_opening_reminder_when_nothing_waits_or_support_is_closed(hours, book):
    assert due(berlin(2026, 11, 23, 9, 1), situation(hours), book) == []
    assert due(berlin(2026, 11, 28, 9, 1), situation(hours, drafts=3), book) == []  # Saturday
    assert due(berlin(2026, 12, 25, 9, 1), situation(hours, drafts=3), book) == []  # Christmas


def test_computer_switched_on_late_still_gets_the_days_opening_reminder(hours, book):
    [reminder] = due(berlin(2026, 11, 23, 14, 12), situation(hours, drafts=1), book)
    assert "Noch nicht gesendet: 1 Entwurf." in reminder.body


def test_reports_needing_attention_point_to_the_outbox(hours, book):
    [reminder] = due(berlin(2026, 11, 23, 9, 1), situation(hours, attention=1), book)
    assert reminder.opens == OPEN_OUTBOX
    assert "1 Meldung, die Ihre Aufmerksamkeit braucht" in reminder.body
    [both] = due(berlin(2026, 11, 23, 9, 1), situation(hours, drafts=1, attention=2, language="en"),
                 book)
    assert "Not sent yet: 1 draft and 2 reports needing your attention." in both.body


def test_opening_reminder_after_the_spring_switch_comes_at_nine_berlin_time(hours, book):
    waiting = situation(hours, drafts=1)
    assert due(datetime(2026, 3, 30, 6, 59, tzinfo=timezone.utc), waiting, book) == []
    assert len(due(datetime(2026, 3, 30, 7, 0, tzinfo=timezone.utc), waiting, book)) == 1


def test_shown_reminders_survive_a_restart(hours, book, app_paths):
    waiting = situation(hours, drafts=1)
    show(due(berlin(2026, 11, 23, 9, 1), waiting, book), book)
    again = ReminderBook(state_file(app_paths.data_dir), app_paths.quarantine_dir)
    assert due(berlin(2026, 11, 23, 10, 0), waiting, again) == []
    assert json.loads(state_file(app_paths.data_dir).read_text())["shown"] == {
        SUPPORT_OPENS: "2026-11-23T08:00:00+00:00"}


# --- Before closing ---------------------------------------------------------------------------


def test_closing_reminder_while_a_draft_is_open(hours, book):
    writing = situation(hours, open_drafts=["Kalender synchronisiert nicht"])
    assert due(berlin(2026, 11, 23, 17, 29), writing, book) == []
    [reminder] = show(due(berlin(2026, 11, 23, 17, 30), writing, book), book)
    assert reminder.kind == BEFORE_CLOSING and reminder.opens == OPEN_WIZARD
    assert reminder.body.startswith("Support erreichbar bis 18:00 Uhr (noch 30 Min.). "
                                    "Ihr Entwurf „Kalender synchronisiert nicht“ ist noch nicht gesendet.")
    assert due(berlin(2026, 11, 23, 17, 45), writing, book) == []
    assert due(berlin(2026, 11, 23, 18, 0), writing, book) == []
    assert len(due(berlin(2026, 11, 24, 17, 40), writing, book)) == 1  # the next day


def test_closing_reminder_needs_an_open_draft(hours, book):
    assert due(berlin(2026, 11, 23, 17, 45), situation(hours, drafts=0), book) == []


def test_closing_reminder_uses_the_configured_lead_time_and_changed_hours(load_hours, book):
    hours = load_hours('[support]\nchanged_hours = ["fri 09:00-16:00"]\n')
    writing = situation(hours, open_drafts=["", "Zweiter Entwurf"])
    settings = ReminderSettings(before_closing_minutes=60)
    assert due(berlin(2026, 11, 27, 14, 59), writing, book, settings) == []
    [reminder] = due(berlin(2026, 11, 27, 15, 0), writing, book, settings)
    assert "bis 16:00 Uhr (noch 1 Std.)" in reminder.body
    assert "2 geöffnete Entwürfe sind noch nicht gesendet." in reminder.body


# --- Outside hours ----------------------------------------------------------------------------


def test_starting_a_report_outside_hours_says_when_phone_and_that_the_outbox_sends(hours, book):
    saturday = berlin(2026, 11, 28, 10, 0)
    reminder = report_started_reminder(saturday, situation(hours, queued=2), ReminderSettings(), book)
    assert reminder.kind == OUTSIDE_HOURS
    assert reminder.title == "Flexperto-Support gerade nicht erreichbar"
    assert reminder.body.startswith("Wieder erreichbar Montag, 09:00 Uhr (in 1 Tag 23 Std.).")
    assert PHONE in reminder.body
    assert "auch außerhalb der Support-Zeiten gesendet" in reminder.body
    assert reminder.body.endswith("Im Postausgang: 2.")
    book.mark_shown(reminder)
    # A second report on the same weekend: no second notice.
    assert report_started_reminder(berlin(2026, 11, 29, 15, 0), situation(hours), ReminderSettings(),
                                   book) is None
    # Monday evening is a new closed stretch.
    assert report_started_reminder(berlin(2026, 11, 30, 19, 0), situation(hours), ReminderSettings(),
                                   book) is not None


def test_no_outside_hours_notice_during_support_hours(hours, book):
    assert report_started_reminder(berlin(2026, 11, 23, 10, 0), situation(hours),
                                   ReminderSettings(), book) is None


def test_outside_hours_notice_for_an_agent_abroad_in_english(hours, book):
    tokyo_monday_morning = datetime(2026, 11, 23, 8, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    reminder = report_started_reminder(tokyo_monday_morning,
                                       situation(hours, language="en", zone="Asia/Tokyo"),
                                       ReminderSettings(), book)
    assert reminder.title == "Flexperto support is not available right now"
    assert reminder.body.startswith("Available again today, 17:00 your local time (in 9 h).")
    assert "sent outside support hours too" in reminder.body


# --- Snooze -----------------------------------------------------------------------------------


def test_snoozed_reminder_comes_back_after_the_snooze_time(hours, book, app_paths):
    waiting = situation(hours, drafts=1)
    [reminder] = due(berlin(2026, 11, 23, 9, 1), waiting, book)
    until = book.snooze(reminder, berlin(2026, 11, 23, 9, 1), 15)
    assert until == berlin(2026, 11, 23, 9, 16)
    assert due(berlin(2026, 11, 23, 9, 15), waiting, book) == []
    # The snooze survives a restart.
    book = ReminderBook(state_file(app_paths.data_dir), app_paths.quarantine_dir)
    [again] = due(berlin(2026, 11, 23, 9, 16), waiting, book)
    assert again.kind == SUPPORT_OPENS
    book.mark_shown(again)
    assert due(berlin(2026, 11, 23, 9, 40), waiting, book) == []


def test_a_snooze_right_after_showing_wins_whichever_save_runs_last(hours, book, app_paths):
    # The UI records "shown" and then "snoozed" at once and saves both off the UI thread; the
    # saves may run in either order and the snooze must never be lost.
    [reminder] = due(berlin(2026, 11, 23, 9, 1), situation(hours, drafts=1), book)
    book.mark_shown(reminder, save=False)
    book.snooze(reminder, berlin(2026, 11, 23, 9, 1), 15, save=False)
    assert not state_file(app_paths.data_dir).exists()
    savers = [threading.Thread(target=book.save) for _ in range(8)]
    for saver in savers:
        saver.start()
    for saver in savers:
        saver.join(timeout=10)
    restarted = ReminderBook(state_file(app_paths.data_dir), app_paths.quarantine_dir)
    assert due(berlin(2026, 11, 23, 9, 10), situation(hours, drafts=1), restarted) == []
    [again] = due(berlin(2026, 11, 23, 9, 16), situation(hours, drafts=1), restarted)
    assert again.kind == SUPPORT_OPENS


def test_snoozed_reminder_that_no_longer_applies_stays_away(hours, book):
    [reminder] = due(berlin(2026, 11, 23, 9, 1), situation(hours, drafts=1), book)
    book.snooze(reminder, berlin(2026, 11, 23, 9, 1), 15)
    assert due(berlin(2026, 11, 23, 9, 30), situation(hours, drafts=0), book) == []  # sent meanwhile


def test_snoozed_outside_hours_notice_returns_while_the_report_is_still_open(hours, book):
    saturday = berlin(2026, 11, 28, 10, 0)
    reminder = report_started_reminder(saturday, situation(hours), ReminderSettings(), book)
    book.snooze(reminder, saturday, 30)
    writing = situation(hours, open_drafts=["Mails kommen nicht an"])
    assert due(berlin(2026, 11, 28, 10, 29), writing, book) == []
    [again] = due(berlin(2026, 11, 28, 10, 31), writing, book)
    assert again.kind == OUTSIDE_HOURS
    assert due(berlin(2026, 11, 28, 10, 31), situation(hours), book) == []  # report closed


# --- Switches ---------------------------------------------------------------------------------


def test_each_kind_can_be_switched_off(hours, book):
    off = ReminderSettings(support_opens=False, before_closing=False, outside_hours=False)
    busy = situation(hours, drafts=3, open_drafts=["x"])
    assert due(berlin(2026, 11, 23, 17, 45), busy, book, off) == []
    assert report_started_reminder(berlin(2026, 11, 28, 10, 0), busy, off, book) is None
    only_closing = ReminderSettings(support_opens=False)
    assert [r.kind for r in due(berlin(2026, 11, 23, 17, 45), busy, book, only_closing)] == [
        BEFORE_CLOSING]


def test_switches_are_read_from_the_settings(app_paths):
    app_paths.user_config_file.parent.mkdir(parents=True, exist_ok=True)
    app_paths.user_config_file.write_text(
        "[reminders]\nsupport_opens = false\nbefore_closing_minutes = 45\nsnooze_minutes = 5\n",
        encoding="utf-8")
    settings = ReminderSettings.from_config(Config.load(app_paths))
    assert settings == ReminderSettings(support_opens=False, before_closing=True,
                                        before_closing_minutes=45, outside_hours=True,
                                        snooze_minutes=5)


# --- A damaged record -------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe", b'{"shown": []}', b"[]"])
def test_damaged_state_file_is_set_aside_and_reminders_work_again(hours, app_paths, content):
    path = state_file(app_paths.data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    book = ReminderBook(path, app_paths.quarantine_dir)
    assert book.problem
    assert [p.read_bytes() for p in app_paths.quarantine_dir.iterdir()] == [content]
    [reminder] = show(due(berlin(2026, 11, 23, 9, 1), situation(hours, drafts=1), book), book)
    assert json.loads(path.read_text())["shown"][SUPPORT_OPENS] == reminder.occasion


@pytest.fixture
def load_hours(app_paths):
    from capture_app.core.hours.support_hours import load_support_hours

    def load(text: str):
        app_paths.system_config_file.parent.mkdir(parents=True, exist_ok=True)
        app_paths.system_config_file.write_text(text, encoding="utf-8")
        hours, problems = load_support_hours(Config.load(app_paths))
        assert problems == []
        return hours
    return load


def test_times_need_a_time_zone(hours, book):
    with pytest.raises(ValueError):
        book.snooze(due(berlin(2026, 11, 23, 9, 1), situation(hours, drafts=1), book)[0],
                    datetime(2026, 11, 23, 9, 1), 5)
