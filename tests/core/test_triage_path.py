"""The triage path tells 2nd-level support what was searched, shown and answered before escalating."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import jsonschema
import pytest

from capture_app.core.platform.resources import load_json
from capture_app.core.report.model import Report
from capture_app.core.sending.render import render_text
from capture_app.core.triage.catalogue import builtin_catalogue
from capture_app.core.triage.path import (
    MAX_ENTRIES,
    MAX_QUERY,
    STEPS,
    last_query,
    record_answer,
    record_case,
    record_nothing_fits,
    record_search,
    record_shared,
)

CATALOGUE = builtin_catalogue()
T0 = datetime(2026, 11, 27, 9, 30, tzinfo=timezone.utc)


def steps(report: Report) -> list[str]:
    return [entry["step"] for entry in report.triage.path]


def test_typing_records_only_the_search_the_agent_settled_on():
    report = Report.new(now=T0)
    for text in ("Ka", "Kalen", "Kalender synchr"):
        record_search(report, text, ["calendar_sync_missing"], now=T0)
    assert report.triage.path == [{"step": "search", "at": "2026-11-27T09:30:00+00:00",
                                   "query": "Kalender synchr", "results": "calendar_sync_missing"}]
    assert record_search(report, "   ", []) is None  # a cleared box records nothing
    assert steps(report) == ["search"]


def test_browsing_records_the_case_the_agent_stopped_at_and_searches_around_it_stay():
    report = Report.new(now=T0)
    record_search(report, "Passwort", ["password_forgotten"], now=T0)
    for case_id in ("password_forgotten", "advisor_link_same_browser", "document_status_pending"):
        record_case(report, CATALOGUE.get(case_id), language="de", via="search", rank=1,
                    article=CATALOGUE.article_for(CATALOGUE.get(case_id)), now=T0)
    record_search(report, "Druckereinstellungen", ["printer_settings"], now=T0 + timedelta(minutes=1))
    assert steps(report) == ["search", "case", "search"]
    case = report.triage.path[1]
    assert case == {"step": "case", "at": "2026-11-27T09:30:00+00:00", "case_id": "document_status_pending",
                    "title": "Dokumentenstatus „Ausstehend“", "outcome": "first_level", "via": "search",
                    "rank": 1, "article": "document_status_pending"}
    assert last_query(report) == "Druckereinstellungen"


def test_every_kind_of_step_and_answer_is_recorded_with_its_time():
    report = Report.new(now=T0)
    record_nothing_fits(report, "Bildschirm flackert", now=T0)
    record_shared(report, "user_text", "email", "password_forgotten", now=T0)
    report.triage.case_id = "password_forgotten"
    record_answer(report, "not_helped", now=T0)
    assert steps(report) == ["nothing_fits", "shared", "answer"]
    assert report.triage.path[2] == {"step": "answer", "at": "2026-11-27T09:30:00+00:00",
                                     "answer": "not_helped", "case_id": "password_forgotten"}
    assert set(steps(report)) <= set(STEPS)
    with pytest.raises(ValueError):
        record_answer(report, "maybe")


def test_long_queries_and_long_sessions_are_bounded():
    report = Report.new(now=T0)
    record_search(report, "Wort " * 5000, [], now=T0)
    assert len(report.triage.path[0]["query"]) == MAX_QUERY
    for number in range(MAX_ENTRIES + 50):
        record_nothing_fits(report, f"Versuch {number}", now=T0)
    assert len(report.triage.path) == MAX_ENTRIES
    assert report.triage.path[-1]["query"] == f"Versuch {MAX_ENTRIES + 49}"  # the newest are kept


def test_the_path_survives_saving_validates_and_is_readable_in_the_report():
    report = Report.new(now=T0, agent_timezone="Europe/Berlin")
    record_search(report, "Passwort vergessen", ["password_forgotten"], now=T0)
    case = CATALOGUE.get("password_forgotten")
    record_case(report, case, language="de", via="search", rank=1,
                article=CATALOGUE.article_for(case), now=T0)
    record_shared(report, "user_text", "clipboard", "password_forgotten", now=T0)
    report.triage.case_id = case.id
    record_answer(report, "not_helped", now=T0)
    data = report.to_dict()
    jsonschema.Draft202012Validator(load_json("report.schema.json")).validate(data)
    assert Report.from_dict(data).triage.path == report.triage.path
    text = render_text(report, "de")
    assert "gesucht nach „Passwort vergessen“" in text
    assert "Ergebnis: die Hilfe hat nicht geholfen" in text


def test_an_old_draft_without_a_path_still_loads():
    data = Report.new(now=T0).to_dict()
    del data["triage"]["path"]
    report = Report.from_dict(data)
    assert report.triage.path == [] and last_query(report) == ""
