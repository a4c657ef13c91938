"""Each triage outcome from the agent's words to what the wizard allows next, without a display."""
from __future__ import annotations

from factories import NOW, evidence_item, second_level_report

from capture_app.core.report.model import Report
from capture_app.core.sending.render import render_text
from capture_app.core.triage.catalogue import FALLBACK_CASE, builtin_catalogue
from capture_app.core.triage.messages import end_user_message, project_lead_message
from capture_app.core.triage.path import (
    record_answer,
    record_case,
    record_nothing_fits,
    record_search,
    record_shared,
)
from capture_app.core.triage.search import search
from capture_app.core.wizard.steps import (
    STEP_ORDER,
    Outcome,
    Step,
    WizardContext,
    applicable_steps,
    can_advance,
    choose_case,
    escalate,
    outcome,
    ready_to_send,
    step_problems,
)

CTX = WizardContext(now=NOW)
CATALOGUE = CTX.catalogue


def triage(report: Report, query: str) -> str:
    """What the page does: search, take the best match, record both."""
    matches = search(CATALOGUE, query)
    record_search(report, query, [m.case.id for m in matches], now=NOW)
    case = matches[0].case if matches else CATALOGUE.fallback
    if not matches:
        record_nothing_fits(report, query, now=NOW)
    choose_case(report, case)
    record_case(report, case, language="de", via="search", rank=1 if matches else 0,
                article=CATALOGUE.article_for(case), now=NOW)
    return case.id


def fields_with_errors(report: Report, step: Step) -> set[str]:
    return {p.field for p in step_problems(report, step, CTX) if p.severity == "error"}


def test_first_level_self_help_solved_ends_at_triage_and_sends_nothing():
    report = Report.new(now=NOW)
    assert triage(report, "Kundin hat ihr Kennwort vergessen") == "password_forgotten"
    assert outcome(report) is Outcome.SELF_HELP
    message = end_user_message(CATALOGUE.article_for(CATALOGUE.get("password_forgotten")), "de")
    assert "Passwort vergessen?" in message.body and "@" not in message.body
    record_shared(report, "user_text", "clipboard", "password_forgotten", now=NOW)
    record_answer(report, "solved", now=NOW)
    assert applicable_steps(report) == [Step.TRIAGE]
    assert [p.key for p in ready_to_send(report, CTX)] == ["not_escalated"]


def test_first_level_that_did_not_help_is_escalated_with_what_was_tried():
    report = second_level_report()
    report.triage.path.clear()
    triage(report, "Passwort zurücksetzen klappt nicht")
    record_shared(report, "user_text", "email", "password_forgotten", now=NOW)
    escalate(report, "")
    record_answer(report, "not_helped", now=NOW)
    assert applicable_steps(report) == list(STEP_ORDER)
    assert fields_with_errors(report, Step.TRIAGE) == {"triage.escalation_reason"}
    escalate(report, "Reset-Mail kommt auch nach drei Versuchen nicht an, Spam geprüft")
    assert can_advance(report, Step.TRIAGE, CTX)
    report.evidence.append(evidence_item())
    assert ready_to_send(report, CTX) == []
    # 2nd level sees what was already tried.
    text = render_text(report, "de")
    assert "„Passwort zurücksetzen klappt nicht“" in text
    assert "den Text für die betroffene Person weitergegeben, per E-Mail" in text
    assert "Ergebnis: die Hilfe hat nicht geholfen" in text
    assert "Reset-Mail kommt auch nach drei Versuchen nicht an" in text


def test_project_lead_question_is_routed_with_a_prepared_message_and_nothing_is_sent():
    report = Report.new(now=NOW)
    assert triage(report, "Dürfen wir eigene PDF-Vorlagen benutzen?") == "which_document_allowed"
    assert outcome(report) is Outcome.PROJECT_LEAD
    assert applicable_steps(report) == [Step.TRIAGE] and can_advance(report, Step.TRIAGE, CTX)
    case = CATALOGUE.get(report.triage.case_id)
    message = project_lead_message(case, "de", question="Dürfen wir eigene PDF-Vorlagen benutzen?",
                                   lead_email="pl@bank.example")
    assert message.to == "pl@bank.example" and "eigene PDF-Vorlagen" in message.body
    record_answer(report, "forwarded_to_project_lead", now=NOW)
    assert [p.key for p in ready_to_send(report, CTX)] == ["not_escalated"]


def test_not_flexperto_stops_and_can_only_be_escalated_with_a_written_reason():
    report = Report.new(now=NOW)
    assert triage(report, "Drucker druckt nur einseitig") == "printer_settings"
    assert outcome(report) is Outcome.NOT_FLEXPERTO
    assert applicable_steps(report) == [Step.TRIAGE]
    assert [p.key for p in ready_to_send(report, CTX)] == ["not_escalated"]
    escalate(report, "zu kurz")
    record_answer(report, "escalated", now=NOW)
    assert fields_with_errors(report, Step.TRIAGE) == {"triage.escalation_reason"}
    escalate(report, "Nur PDFs aus der Beratung drucken leer, alle anderen normal")
    assert can_advance(report, Step.TRIAGE, CTX)
    data = Report.from_dict(report.to_dict())
    assert data.triage.escalation_reason.startswith("Nur PDFs") and data.triage.case_id == "printer_settings"


def test_nothing_fits_goes_to_second_level_with_the_whole_report():
    report = Report.new(now=NOW)
    assert triage(report, "😀😀😀") == FALLBACK_CASE
    assert outcome(report) is Outcome.ESCALATE
    assert applicable_steps(report) == list(STEP_ORDER)
    assert [entry["step"] for entry in report.triage.path] == ["search", "nothing_fits", "case"]


def test_second_level_cases_enforce_their_extra_fields_and_evidence():
    report = second_level_report()
    assert triage(report, "Kunde bekommt keine Einladungsmail") == "emails_not_delivered"
    assert fields_with_errors(report, Step.DETAILS) == {
        "description.case_fields.mail_sender", "description.case_fields.mail_recipient",
        "description.case_fields.spam_checked"}
    report.description.case_fields.update(mail_sender="termine@bank.example",
                                          mail_recipient="kunde@example.org", spam_checked="yes")
    assert can_advance(report, Step.DETAILS, CTX)
    report.occurred.at = ""  # when the mail should have arrived: the time step asks for it
    assert fields_with_errors(report, Step.TIME) == {"occurred.at"}

    report = second_level_report()
    assert triage(report, "Kalender synchronisiert nicht") == "calendar_sync_missing"
    assert fields_with_errors(report, Step.DETAILS) == {
        "description.case_fields.calendar_system", "description.case_fields.calendar_account"}

    report = second_level_report()
    assert triage(report, "E-Mail-Adresse des Beraters ändern") == "change_email_address"
    report.description.case_fields.update(old_email="alt@bank.example", new_email="neu at bank")
    assert fields_with_errors(report, Step.DETAILS) == {"description.case_fields.new_email"}

    report = second_level_report()
    assert triage(report, "PDF lässt sich für die e-Signatur nicht hochladen") == "esign_upload_fails"
    assert "requires_document" in {p.key for p in step_problems(report, Step.EVIDENCE, CTX)}
    document = evidence_item("document")
    report.evidence.append(document)
    assert fields_with_errors(report, Step.EVIDENCE) == {f"evidence.{document.id}"}
    document.no_personal_data_confirmed = True
    assert fields_with_errors(report, Step.EVIDENCE) == set()


def test_the_catalogue_in_the_wizard_context_is_the_builtin_one_by_default():
    # a context made now (the module's CTX may predate a test that reloads the catalogue)
    assert WizardContext(now=NOW).catalogue is builtin_catalogue()
