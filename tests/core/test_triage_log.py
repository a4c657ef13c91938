"""Cases closed in triage are counted per day of the agent's clock, with nothing typed in them."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from capture_app.core.triage import closed_log as triage_log

BERLIN = ZoneInfo("Europe/Berlin")


def test_counts_today_in_the_agents_zone_and_in_all(tmp_path):
    evening_utc = datetime(2026, 11, 26, 23, 30, tzinfo=timezone.utc)  # 00:30 on the 27th in Berlin
    triage_log.record(tmp_path, "password_forgotten", "first_level", "solved", now=evening_utc)
    triage_log.record(tmp_path, "printer_settings", "not_flexperto", "closed_not_flexperto",
                      now=evening_utc - timedelta(days=2))
    counted = triage_log.counts(tmp_path, now=datetime(2026, 11, 27, 9, 0, tzinfo=BERLIN))
    assert counted == triage_log.Counts(today=1, total=2)


def test_a_torn_last_line_is_skipped_and_no_file_counts_nothing(tmp_path):
    assert triage_log.counts(tmp_path, now=datetime(2026, 11, 27, tzinfo=BERLIN)) == triage_log.Counts(0, 0)
    triage_log.record(tmp_path, "password_forgotten", "first_level", "solved",
                      now=datetime(2026, 11, 27, 8, 0, tzinfo=timezone.utc))
    with open(tmp_path / triage_log.FILE_NAME, "a", encoding="utf-8") as log:
        log.write('{"at": "2026-11-27T0')  # power cut mid-line
    counted = triage_log.counts(tmp_path, now=datetime(2026, 11, 27, 12, 0, tzinfo=BERLIN))
    assert counted == triage_log.Counts(today=1, total=1)
