"""Support hours with an injected clock: weekdays, weekends, Berlin's holidays, DST, agents abroad,
the organisation's exceptions, and bad settings."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from capture_app.core.hours.support_hours import (
    ChangedDay,
    Closure,
    load_support_hours,
    phone_uri,
)
from capture_app.core.platform import i18n
from capture_app.core.platform.config import Config

BERLIN = ZoneInfo("Europe/Berlin")
UTC = timezone.utc


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def load(app_paths):
    """Support hours as configured by an organisation file (TOML text)."""
    def load(org_text: str = ""):
        if org_text:
            write(app_paths.system_config_file, org_text)
        config = Config.load(app_paths)
        hours, problems = load_support_hours(config)
        return hours, config.problems + problems
    return load


@pytest.fixture
def hours(load):
    hours, problems = load()
    assert problems == []
    return hours


# --- Weekdays and weekends --------------------------------------------------------------------


@pytest.mark.parametrize("moment, is_open", [
    (berlin(2026, 11, 23, 8, 59, 59), False),  # Monday just before nine
    (berlin(2026, 11, 23, 9, 0), True),
    (berlin(2026, 11, 25, 12, 30), True),       # Wednesday noon
    (berlin(2026, 11, 27, 17, 59, 59), True),   # Friday, last second
    (berlin(2026, 11, 27, 18, 0), False),       # Friday 18:00 sharp: closed
    (berlin(2026, 11, 28, 12, 0), False),       # Saturday
    (berlin(2026, 11, 29, 12, 0), False),       # Sunday
])
def test_open_monday_to_friday_nine_to_six(hours, moment, is_open):
    assert hours.is_open(moment) is is_open


def test_sentences_for_an_agent_in_berlin(hours):
    assert hours.sentence(berlin(2026, 11, 23, 10, 0), "Europe/Berlin", "de") == \
        "Support erreichbar bis 18:00 Uhr"
    assert hours.sentence(berlin(2026, 11, 23, 6, 47), "Europe/Berlin", "de") == \
        "Wieder erreichbar heute, 09:00 Uhr (in 2 Std. 13 Min.)"
    assert hours.sentence(berlin(2026, 11, 23, 18, 10), "Europe/Berlin", "de") == \
        "Wieder erreichbar morgen, 09:00 Uhr (in 14 Std. 50 Min.)"
    assert hours.sentence(berlin(2026, 11, 27, 18, 30), "Europe/Berlin", "de") == \
        "Wieder erreichbar Montag, 09:00 Uhr (in 2 Tagen 14 Std.)"
    assert hours.sentence(berlin(2026, 11, 27, 18, 30), "Europe/Berlin", "en") == \
        "Available again Monday, 09:00 (in 2 days 14 h)"
    assert hours.sentence(berlin(2026, 11, 23, 17, 59), "Europe/Berlin", "en") == \
        "Support available until 18:00"


def test_weekend_says_why_and_when_it_opens(hours):
    saturday = berlin(2026, 11, 28, 11, 0)
    assert hours.closed_reason(saturday, "de") == "Samstag ist kein Support-Tag."
    assert hours.next_opening(saturday) == utc(2026, 11, 30, 8, 0)
    assert hours.next_closing(saturday) == utc(2026, 11, 30, 17, 0)
    assert hours.closed_reason(berlin(2026, 11, 27, 19, 0), "en") == "Support has closed for today."
    assert hours.closed_reason(berlin(2026, 11, 27, 7, 0), "de") == \
        "Der Support hat heute noch nicht geöffnet."
    assert hours.weekly_summary("de") == "Mo–Fr 09:00–18:00 Uhr"


def test_an_aware_clock_is_required(hours):
    with pytest.raises(ValueError):
        hours.is_open(datetime(2026, 11, 23, 10, 0))


# --- Berlin's public holidays -----------------------------------------------------------------

BERLIN_HOLIDAYS = {
    date(2026, 1, 1): "Neujahr",
    date(2026, 3, 8): "Frauentag",  # a Sunday in 2026
    date(2026, 4, 3): "Karfreitag",
    date(2026, 4, 6): "Ostermontag",
    date(2026, 5, 1): "Erster Mai",
    date(2026, 5, 14): "Christi Himmelfahrt",
    date(2026, 5, 25): "Pfingstmontag",
    date(2026, 10, 3): "Tag der Deutschen Einheit",  # a Saturday
    date(2026, 12, 25): "Erster Weihnachtstag",
    date(2026, 12, 26): "Zweiter Weihnachtstag",
    date(2027, 1, 1): "Neujahr",
    date(2027, 3, 8): "Frauentag",  # a Monday in 2027
    date(2027, 3, 26): "Karfreitag",
    date(2027, 3, 29): "Ostermontag",
    date(2027, 5, 1): "Erster Mai",
    date(2027, 5, 6): "Christi Himmelfahrt",
    date(2027, 5, 17): "Pfingstmontag",
    date(2027, 10, 3): "Tag der Deutschen Einheit",
    date(2027, 12, 25): "Erster Weihnachtstag",
    date(2027, 12, 26): "Zweiter Weihnachtstag",
}


@pytest.mark.parametrize("day", sorted(BERLIN_HOLIDAYS), ids=str)
def test_every_berlin_holiday_of_2026_and_2027_is_closed(hours, day):
    noon = datetime.combine(day, time(12, 0), tzinfo=BERLIN)
    assert not hours.is_open(noon)
    assert hours.holidays.name(day, "de") == BERLIN_HOLIDAYS[day]
    if day.weekday() < 5:
        assert hours.closed_reason(noon, "de") == f"Heute ist Feiertag: {BERLIN_HOLIDAYS[day]}."
        opening = hours.next_opening(noon).astimezone(BERLIN)
        assert opening.date() > day and opening.time() == time(9, 0)


def test_there_are_no_other_closed_weekdays_in_2026_and_2027(hours):
    day, closed = date(2026, 1, 1), set()
    while day.year < 2028:
        if day.weekday() < 5 and hours.period_on(day) is None:
            closed.add(day)
        day += timedelta(days=1)
    assert closed == {d for d in BERLIN_HOLIDAYS if d.weekday() < 5}


def test_holidays_of_other_states_are_working_days_in_berlin(hours):
    assert hours.is_open(berlin(2026, 6, 4, 12, 0))   # Fronleichnam (Bavaria, not Berlin)
    assert hours.is_open(berlin(2026, 11, 18, 12, 0))  # Buß- und Bettag (Saxony only)


def test_holiday_names_follow_the_language(hours):
    assert hours.closed_reason(berlin(2026, 4, 3, 12, 0), "en") == \
        "Today is a public holiday: Good Friday."


def test_easter_weekend_closure_spans_four_days(hours):
    thursday_evening = berlin(2026, 4, 2, 18, 0)
    assert hours.sentence(thursday_evening, "Europe/Berlin", "de") == \
        "Wieder erreichbar Dienstag, 09:00 Uhr (in 4 Tagen 15 Std.)"
    assert [c.name for c in hours.upcoming_exceptions(berlin(2026, 3, 30, 9, 0), language="de")
            if isinstance(c, Closure)] == ["Karfreitag", "Ostermontag", "Erster Mai"]


# --- Daylight-saving switches -----------------------------------------------------------------


def test_spring_forward_weekend_is_an_hour_shorter(hours):
    friday_evening = berlin(2026, 3, 27, 18, 30)  # CET, UTC+1
    monday = hours.next_opening(friday_evening)
    assert monday == utc(2026, 3, 30, 7, 0)  # 09:00 CEST, UTC+2
    assert monday - friday_evening == timedelta(days=2, hours=13, minutes=30)
    assert hours.sentence(friday_evening, "Europe/Berlin", "de") == \
        "Wieder erreichbar Montag, 09:00 Uhr (in 2 Tagen 13 Std.)"
    assert hours.current_period(berlin(2026, 3, 27, 12, 0)).opens == utc(2026, 3, 27, 8, 0)


def test_fall_back_weekend_is_an_hour_longer(hours):
    friday_evening = berlin(2026, 10, 23, 18, 0)  # CEST
    monday = hours.next_opening(friday_evening)
    assert monday == utc(2026, 10, 26, 8, 0)  # 09:00 CET
    assert monday - friday_evening == timedelta(days=2, hours=16)
    assert hours.sentence(friday_evening, "Europe/Berlin", "de") == \
        "Wieder erreichbar Montag, 09:00 Uhr (in 2 Tagen 16 Std.)"


@pytest.mark.parametrize("day, real_length", [
    ("2026-03-29", timedelta(hours=3)),  # 01:00 CET to 05:00 CEST: an hour is skipped
    ("2026-10-25", timedelta(hours=5)),  # 01:00 CEST to 05:00 CET: an hour is repeated
])
def test_hours_across_the_switch_itself_count_real_time(load, day, real_length):
    hours, problems = load(f'[support]\nchanged_hours = ["{day} 01:00-05:00"]\n')
    assert problems == []
    period = hours.period_on(date.fromisoformat(day))
    assert period.closes - period.opens == real_length
    assert hours.is_open(period.closes - timedelta(seconds=1))
    assert not hours.is_open(period.closes)


# --- Agents outside Germany -------------------------------------------------------------------


def test_agent_in_new_york_sees_hours_in_new_york_time(hours):
    # 16 March 2026: New York is already on summer time, Berlin not yet (five hours apart).
    assert hours.sentence(utc(2026, 3, 16, 12, 0), "America/New_York", "de") == \
        "Support erreichbar bis 13:00 Uhr Ihrer Ortszeit"
    # 15 April: both on summer time (six hours apart).
    assert hours.sentence(utc(2026, 4, 15, 12, 0), "America/New_York", "de") == \
        "Support erreichbar bis 12:00 Uhr Ihrer Ortszeit"
    # Friday 20:00 in New York is Saturday in Berlin; Monday 09:00 Berlin is 03:00 in New York.
    friday_night = datetime(2026, 11, 27, 20, 0, tzinfo=ZoneInfo("America/New_York"))
    assert hours.sentence(friday_night, "America/New_York", "de") == \
        "Wieder erreichbar Montag, 03:00 Uhr Ihrer Ortszeit (in 2 Tagen 7 Std.)"
    assert hours.sentence(friday_night, "America/New_York", "en") == \
        "Available again Monday, 03:00 your local time (in 2 days 7 h)"
    assert hours.local_hours_note(utc(2026, 3, 16, 12, 0), "America/New_York", "de") == \
        "Das ist 04:00–13:00 Uhr Ihrer Ortszeit (America/New_York)."


def test_agent_in_tokyo_sees_closing_after_midnight(hours):
    monday_evening_tokyo = datetime(2026, 11, 23, 19, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert hours.is_open(monday_evening_tokyo)
    assert hours.sentence(monday_evening_tokyo, "Asia/Tokyo", "de") == \
        "Support erreichbar bis morgen, 02:00 Uhr Ihrer Ortszeit"
    monday_morning_tokyo = datetime(2026, 11, 23, 8, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert hours.sentence(monday_morning_tokyo, "Asia/Tokyo", "en") == \
        "Available again today, 17:00 your local time (in 9 h)"
    assert hours.sentence(monday_morning_tokyo, "Asia/Tokyo", "de") == \
        "Wieder erreichbar heute, 17:00 Uhr Ihrer Ortszeit (in 9 Std.)"
    # Berlin's switch to summer time moves the hours an hour earlier in Tokyo.
    assert hours.sentence(datetime(2026, 3, 30, 8, 0, tzinfo=ZoneInfo("Asia/Tokyo")),
                          "Asia/Tokyo", "de") == \
        "Wieder erreichbar heute, 16:00 Uhr Ihrer Ortszeit (in 8 Std.)"


def test_same_offset_as_berlin_needs_no_local_time_note(hours):
    assert hours.sentence(berlin(2026, 11, 23, 10, 0), "Europe/Paris", "de") == \
        "Support erreichbar bis 18:00 Uhr"


# --- The organisation's exceptions ------------------------------------------------------------

EXCEPTIONS = """
[support]
closed_days = ["2026-12-24", "2026-12-28..2026-12-31", "06-15"]
changed_hours = ["2026-12-23 09:00-14:00", "fri 09:00-16:00", "2026-12-27 10:00-12:00",
                 "2026-12-25 10:00-12:00", "11-30 08:00-12:00"]
"""


def test_configured_exceptions_apply(load):
    hours, problems = load(EXCEPTIONS)
    assert problems == []
    assert not hours.is_open(berlin(2026, 12, 24, 12, 0))          # extra closed day
    for day in (28, 29, 30, 31):                                     # closed range
        assert not hours.is_open(berlin(2026, 12, day, 12, 0))
    assert not hours.is_open(berlin(2027, 6, 15, 12, 0))            # every year
    assert hours.is_open(berlin(2026, 12, 23, 13, 59))              # shortened day
    assert not hours.is_open(berlin(2026, 12, 23, 14, 0))
    assert hours.sentence(berlin(2026, 12, 23, 10, 0), "Europe/Berlin", "de") == \
        "Support erreichbar bis 14:00 Uhr"
    assert not hours.is_open(berlin(2026, 11, 27, 16, 30))          # every Friday until 16:00
    assert hours.is_open(berlin(2026, 12, 27, 11, 0))               # a Sunday with set hours
    assert hours.is_open(berlin(2026, 12, 25, 11, 0))               # a holiday with set hours
    assert hours.is_open(berlin(2026, 11, 30, 8, 30))               # yearly changed hours
    assert hours.weekly_summary("de") == "Mo–Do 09:00–18:00 Uhr; Fr 09:00–16:00 Uhr"
    upcoming = hours.upcoming_exceptions(berlin(2026, 12, 21, 9, 0), days=14, language="de")
    assert ChangedDay(date(2026, 12, 23), time(9), time(14)) in upcoming
    assert Closure(date(2026, 12, 24), "closed_day") in upcoming
    assert ChangedDay(date(2026, 12, 25), time(10), time(12)) in upcoming
    assert Closure(date(2027, 1, 1), "holiday", "Neujahr") in upcoming
    # After the year-end break support opens again on the first working day of 2027.
    assert hours.next_opening(berlin(2026, 12, 27, 12, 30)) == utc(2027, 1, 4, 8, 0)
    assert hours.sentence(berlin(2026, 12, 27, 12, 30), "Europe/Berlin", "de") == \
        "Wieder erreichbar Montag, 4. Januar, 09:00 Uhr (in 7 Tagen 20 Std.)"


@pytest.mark.parametrize("region, day, is_open", [
    ("DE-BY", date(2026, 6, 4), False),   # Fronleichnam in Bavaria
    ("de-by", date(2026, 6, 4), False),   # written in lower case
    ("DE", date(2027, 3, 8), True),       # Frauentag is Berlin's only
    ("DE", date(2026, 4, 3), False),      # Karfreitag nationwide
    ("", date(2026, 4, 3), True),         # no holidays at all
])
def test_holiday_region_is_configurable(load, region, day, is_open):
    hours, problems = load(f'[support]\nholiday_region = "{region}"\n')
    assert problems == []
    assert hours.is_open(datetime.combine(day, time(12), tzinfo=BERLIN)) is is_open


def test_other_support_days_and_time_zone(load):
    hours, problems = load('[support]\ndays = ["mon", "wed", "sat"]\nopens = "08:30"\n'
                           'closes = "12:00"\ntimezone = "Europe/Vienna"\nholiday_region = "AT"\n')
    assert problems == []
    assert hours.weekly_summary("de") == "Mo, Mi, Sa 08:30–12:00 Uhr"
    assert hours.is_open(datetime(2026, 11, 28, 9, 0, tzinfo=ZoneInfo("Europe/Vienna")))
    assert not hours.is_open(datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Europe/Vienna")))
    assert not hours.is_open(datetime(2026, 12, 8, 9, 0, tzinfo=ZoneInfo("Europe/Vienna")))  # Mariä Empfängnis


# --- Bad settings: specific messages, defaults used -------------------------------------------


def only(problems, key):
    found = [p for p in problems if p.message_key == key]
    assert len(found) == 1, [p.message_key for p in problems]
    return found[0]


def test_impossible_hours_in_the_organisation_file(load, app_paths):
    hours, problems = load('[support]\nopens = "25:00"\ncloses = "18:61"\n')
    assert (hours.opens, hours.closes) == (time(9), time(18))
    opens = next(p for p in problems if p.key == "support.opens")
    message = opens.message("de")
    assert '"25:00"' in message and '"09:00"' in message and "Zeile 2" in message
    assert str(app_paths.system_config_file) in message and "IT" in message
    assert '"18:61"' in next(p for p in problems if p.key == "support.closes").message("en")


def test_unknown_time_zone_falls_back_to_berlin(load):
    hours, problems = load('[support]\ntimezone = "Europe/Berlinn"\n')
    assert hours.timezone.key == "Europe/Berlin"
    message = next(p for p in problems if p.key == "support.timezone").message("de")
    assert '"Europe/Berlinn"' in message and '"Europe/Berlin"' in message
    assert hours.is_open(berlin(2026, 11, 23, 10, 0))


def test_holiday_region_that_does_not_exist(load):
    hours, problems = load('locked = ["support"]\n\n[support]\nholiday_region = "XX-YY"\n')
    problem = only(problems, "support_hours.bad_region")
    message = problem.message("de")
    assert '"XX-YY"' in message and '"DE-BE"' in message and "Zeile 4" in message
    assert "IT" in message  # the organisation's file: the agent cannot fix it
    assert "does not exist" in problem.message("en")
    assert hours.holidays.region == "DE-BE"
    assert not hours.is_open(berlin(2026, 4, 3, 12, 0))  # Berlin's Karfreitag still counts


def test_state_that_does_not_exist_lists_the_real_ones(load):
    hours, problems = load('[support]\nholiday_region = "DE-ZZ"\n')
    message = only(problems, "support_hours.bad_subdivision").message("de")
    assert '"DE-ZZ"' in message and "BE" in message and "BY" in message
    assert hours.holidays.region == "DE-BE"


@pytest.mark.parametrize("setting, entry, key", [
    ("closed_days", "2026-02-30", "support_hours.bad_closed_day"),
    ("closed_days", "24.12.2026", "support_hours.bad_closed_day"),
    ("closed_days", "2026-12-31..2026-12-24", "support_hours.bad_closed_range"),
    ("changed_hours", "2026-12-23 25:00-26:00", "support_hours.bad_changed_hours_time"),
    ("changed_hours", "fri 16:00-09:00", "support_hours.bad_changed_hours_order"),
    ("changed_hours", "fri", "support_hours.bad_changed_hours_format"),
    ("changed_hours", "someday 09:00-12:00", "support_hours.bad_changed_hours_format"),
    ("changed_hours", "sat 10:00-12:00", "support_hours.changed_weekday_not_support_day"),
])
def test_bad_exception_entries_are_named_and_skipped(load, setting, entry, key):
    good = "2026-12-24" if setting == "closed_days" else "2026-12-23 09:00-14:00"
    hours, problems = load(f'[support]\n{setting} = ["{good}", "{entry}"]\n')
    problem = only(problems, key)
    assert problem.line == 2
    for language in ("de", "en"):
        text = problem.message(language)
        assert entry in text and "⟦" not in text
    # The good entry still applies.
    if setting == "closed_days":
        assert not hours.is_open(berlin(2026, 12, 24, 12, 0))
    else:
        assert not hours.is_open(berlin(2026, 12, 23, 15, 0))


def test_problem_in_the_agents_own_file_advises_fixing_it_there(load, app_paths):
    write(app_paths.user_config_file, '[support]\nclosed_days = ["morgen"]\n')
    _, problems = load()
    message = only(problems, "support_hours.bad_closed_day").message("de")
    assert str(app_paths.user_config_file) in message
    assert "Einstellungen der App" in message


def test_phone_link():
    assert phone_uri("+49 30 2206623 33") == "tel:+4930220662333"
    assert phone_uri("+49 (0)30 / 2206623-33") == "tel:+490302206623" "33"


def test_texts_exist_in_both_languages(hours):
    for language in i18n.LANGUAGES:
        for moment in (berlin(2026, 11, 23, 10), berlin(2026, 12, 31, 20), berlin(2026, 4, 3, 12)):
            for zone in ("Europe/Berlin", "Asia/Tokyo"):
                assert "⟦" not in hours.sentence(moment, zone, language)
            assert "⟦" not in hours.closed_reason(moment, language)


HOLIDAYS_AT_START = r"""
import sys
from datetime import date
from capture_app.core.platform import tomlcache
from capture_app.core.platform.config import Config
from capture_app.core.platform.paths import AppPaths
from capture_app.core.hours.support_hours import load_support_hours
root = sys.argv[1]
tomlcache.set_cache_dir(root + "/cache")
from pathlib import Path
config = Config.load(AppPaths(Path(root, "data"), Path(root, "config"), Path(root, "system.toml")))
hours, problems = load_support_hours(config)
print(hours.holidays.region, hours.holidays.name(date(2026, 3, 8), "de"),
      hours.holidays.name(date(2026, 3, 9), "de"), len(problems), "holidays" in sys.modules)
"""


def test_a_later_start_knows_the_holidays_without_loading_the_holidays_package(tmp_path):
    """The package costs an app idling in the tray about 20 MB all day: a year's holidays are
    worked out once and read from the cache folder at every later start."""
    import subprocess
    import sys

    def start() -> list[str]:
        result = subprocess.run([sys.executable, "-c", HOLIDAYS_AT_START, str(tmp_path)],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout.split()

    assert start() == ["DE-BE", "Frauentag", "None", "0", "True"]  # the first start asks it
    assert start() == ["DE-BE", "Frauentag", "None", "0", "False"]

