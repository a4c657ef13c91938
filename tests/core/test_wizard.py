"""Every path through the wizard, decided in core without a display."""
from __future__ import annotations

import dataclasses

import pytest
from factories import NOW, evidence_item, second_level_report

from capture_app.core.platform import i18n
from capture_app.core.report.model import Report
from capture_app.core.triage.catalogue import builtin_catalogue
from capture_app.core.wizard.steps import (
    ERROR,
    STEP_ORDER,
    WARNING,
    Outcome,
    Step,
    WizardContext,
    applicable_steps,
    can_advance,
    choose_case,
    escalate,
    first_incomplete_step,
    next_step,
    outcome,
    previous_step,
    ready_to_send,
    step_problems,
)

CTX = WizardContext(now=NOW)
CATALOGUE = builtin_catalogue()


def fields_with_errors(report: Report, step: Step) -> set[str]:
    return {p.field for p in step_problems(report, step, CTX) if p.severity == ERROR}


def test_a_new_report_starts_at_triage_and_cannot_go_on_without_a_case():
    report = Report.new(now=NOW)
    assert outcome(report) is Outcome.UNDECIDED
    assert applicable_steps(report) == list(STEP_ORDER)  # the usual path, until decided
    assert not can_advance(report, Step.TRIAGE, CTX)
    assert fields_with_errors(report, Step.TRIAGE) == {"triage.case_id"}
    assert [p.key for p in ready_to_send(report, CTX)] == ["not_escalated"]


@pytest.mark.parametrize("category", ["not_flexperto", "first_level", "project_lead"])
def test_cases_that_are_not_escalated_end_at_triage_and_cannot_be_sent(category):
    for case in CATALOGUE.by_category(category):
        report = Report.new(now=NOW)
        choose_case(report, case)
        assert outcome(report).value == category
        assert applicable_steps(report) == [Step.TRIAGE]
        assert can_advance(report, Step.TRIAGE, CTX)
        assert next_step(report, Step.TRIAGE) is None
        assert [p.key for p in ready_to_send(report, CTX)] == ["not_escalated"]


def test_escalating_a_self_help_case_needs_a_written_reason_and_then_opens_all_steps():
    report = Report.new(now=NOW)
    choose_case(report, CATALOGUE.get("password_forgotten"))
    escalate(report, "kurz")
    assert applicable_steps(report) == list(STEP_ORDER)
    assert fields_with_errors(report, Step.TRIAGE) == {"triage.escalation_reason"}
    escalate(report, "Reset-Mail kommt auch nach 3 Versuchen nicht an")
    assert can_advance(report, Step.TRIAGE, CTX)
    assert report.triage.case_id == "password_forgotten"
    # choosing another case afterwards forgets the escalation
    choose_case(report, CATALOGUE.get("printer_settings"))
    assert report.triage.escalation_reason == ""
    assert applicable_steps(report) == [Step.TRIAGE]


def test_second_level_walks_every_step_in_order_forward_and_back():
    report = second_level_report()
    step = Step.TRIAGE
    visited = [step]
    while (step := next_step(report, step)) is not None:
        visited.append(step)
    assert visited == list(STEP_ORDER)
    back = [Step.REVIEW]
    step = Step.REVIEW
    while (step := previous_step(report, step)) is not None:
        back.append(step)
    assert back == list(reversed(STEP_ORDER))


def test_a_complete_second_level_report_is_ready_to_send():
    report = second_level_report()
    report.evidence.append(evidence_item("screenshot"))
    assert ready_to_send(report, CTX) == []
    assert all(can_advance(report, step, CTX) for step in STEP_ORDER)
    assert first_incomplete_step(report, CTX) is Step.REVIEW


def test_details_name_each_missing_field():
    report = second_level_report()
    report.summary = ""
    report.description.affected = ""
    report.description.area = ""
    report.description.url = ""
    report.description.what = "geht nicht"
    assert fields_with_errors(report, Step.DETAILS) == {
        "summary", "description.affected", "description.area", "description.what"}
    assert first_incomplete_step(report, CTX) is Step.DETAILS
    messages = [p.message("de") for p in step_problems(report, Step.DETAILS, CTX)]
    assert any("mindestens 15 Zeichen" in m for m in messages)


def test_a_url_without_scheme_is_refused_with_an_example():
    report = second_level_report()
    report.description.url = "bank.flexperto.com/meeting/1"
    problems = step_problems(report, Step.DETAILS, CTX)
    assert [p.field for p in problems] == ["description.url"]
    assert "https://" in problems[0].message("de")


def test_case_specific_fields_are_required_and_emails_checked():
    report = second_level_report("change_email_address")
    assert fields_with_errors(report, Step.DETAILS) == {
        "description.case_fields.old_email", "description.case_fields.new_email"}
    report.description.case_fields = {"old_email": "alt@bank.de", "new_email": "neu(at)bank.de"}
    problems = step_problems(report, Step.DETAILS, CTX)
    assert [p.field for p in problems] == ["description.case_fields.new_email"]
    assert "neu(at)bank.de" in problems[0].message("de")


@pytest.mark.parametrize("changes, expected", [
    ({"at": ""}, {"occurred.at"}),
    ({"at": "2026-11-27T10:15:00"}, {"occurred.at"}),  # no offset: ambiguous
    ({"at": "2026-11-28T10:15:00+01:00"}, {"occurred.at"}),  # tomorrow
    ({"timezone": "Mars/Olympus"}, {"occurred.timezone"}),
    ({"timezone": "../../etc/passwd"}, {"occurred.timezone"}),
    ({"mode": "window", "start": "2026-11-27T10:00:00+01:00", "end": "2026-11-27T09:00:00+01:00"},
     {"occurred.end"}),
    ({"mode": "window", "start": "2026-09-01T10:00:00+02:00", "end": "2026-11-27T09:00:00+01:00"},
     {"occurred.end"}),
    ({"mode": "window", "start": "", "end": ""}, {"occurred.start", "occurred.end"}),
])
def test_time_problems(changes, expected):
    report = second_level_report()
    for key, value in changes.items():
        setattr(report.occurred, key, value)
    assert fields_with_errors(report, Step.TIME) == expected


def test_an_approximate_window_in_another_zone_is_fine():
    report = second_level_report()
    report.occurred = dataclasses.replace(report.occurred, mode="window", at="",
                                          start="2026-11-27T08:00:00-05:00",
                                          end="2026-11-27T08:30:00-05:00", timezone="America/New_York")
    assert fields_with_errors(report, Step.TIME) == set()


def test_environment_needs_device_and_browser_with_version_unless_unknown():
    report = second_level_report()
    report.customer_environment.browser_version = ""
    report.advisor_environment.device_type = ""
    assert fields_with_errors(report, Step.ENVIRONMENT) == {
        "customer_environment.browser_version", "advisor_environment.device_type"}
    report.customer_environment.unknown = True
    report.advisor_environment.device_type = "desktop"
    problems = step_problems(report, Step.ENVIRONMENT, CTX)
    assert [(p.field, p.severity) for p in problems] == [("customer_environment.unknown", WARNING)]
    assert can_advance(report, Step.ENVIRONMENT, CTX)


def test_esignature_case_requires_a_confirmed_document():
    report = second_level_report("esign_upload_fails")
    assert fields_with_errors(report, Step.EVIDENCE) == {"evidence"}
    doc = evidence_item("document", filename="vertrag.pdf", media_type="application/pdf")
    report.evidence.append(doc)
    assert fields_with_errors(report, Step.EVIDENCE) == {f"evidence.{doc.id}"}
    doc.no_personal_data_confirmed = True
    assert fields_with_errors(report, Step.EVIDENCE) == set()
    doc.excluded = True  # excluded in Review: the requirement is no longer met
    assert fields_with_errors(report, Step.EVIDENCE) == {"evidence"}


def test_missing_screenshot_warns_but_does_not_block():
    report = second_level_report()
    problems = step_problems(report, Step.EVIDENCE, CTX)
    assert [(p.key, p.severity) for p in problems] == [("no_screenshot", WARNING)]
    assert can_advance(report, Step.EVIDENCE, CTX)


def test_a_recorded_steps_picture_counts_as_a_screenshot():
    report = second_level_report()
    report.evidence.append(evidence_item("step", filename="schritt-001.png"))
    assert step_problems(report, Step.EVIDENCE, CTX) == []


def test_review_warns_when_attachments_exceed_the_mail_limit():
    report = second_level_report()
    report.evidence.append(evidence_item("other", size=30 * 1024 * 1024))
    problems = step_problems(report, Step.REVIEW, CTX)
    assert [p.key for p in problems] == ["total_too_large"]
    assert "30.0 MB" in problems[0].message("de")
    report.evidence[0].excluded = True
    assert step_problems(report, Step.REVIEW, CTX) == []


def test_every_problem_message_exists_in_both_languages():
    report = Report.new(now=NOW)
    keys = {p.key for p in step_problems(report, Step.TRIAGE, CTX)}
    report = second_level_report("esign_upload_fails")
    report.summary = ""
    report.occurred.mode = "window"
    report.customer_environment.unknown = True
    report.evidence.append(evidence_item("document"))
    for step in STEP_ORDER:
        keys |= {p.key for p in step_problems(report, step, CTX)}
    for key in keys:
        for language in i18n.LANGUAGES:
            assert i18n.has(f"wizard.{key}", language), (key, language)


def test_catalogue_has_every_case_of_the_support_structure():
    ids = {case.id for case in CATALOGUE.cases}
    assert {"printer_settings", "documents_to_use", "password_forgotten",
            "advisor_link_same_browser", "document_status_pending", "which_document_allowed",
            "new_features_usage", "calendar_sync_missing", "esign_upload_fails",
            "change_email_address", "emails_not_delivered", "other_technical"} <= ids
    for case in CATALOGUE.cases:
        for language in ("de", "en"):
            assert case.title_in(language) and case.guidance_in(language)
            assert case.title[language] and case.guidance[language], (case.id, language)


def test_report_ids_are_random_rfc4122_version4_uuids():
    import uuid

    ids = {Report.new().id for _ in range(200)}
    assert len(ids) == 200
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text and parsed.version == 4 and parsed.variant == uuid.RFC_4122
