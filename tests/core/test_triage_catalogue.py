"""The built-in catalogue holds every case of Flexperto's support structure, in German and English."""
from __future__ import annotations

import pytest

from capture_app.core.platform import i18n
from capture_app.core.report.model import Report
from capture_app.core.triage.catalogue import FALLBACK_CASE, builtin_catalogue, parse_catalogue
from capture_app.core.triage.messages import end_user_message, project_lead_message
from capture_app.core.wizard.steps import Step, applicable_steps, choose_case

CATALOGUE = builtin_catalogue()

# The example cases of reference/support-structure.de.txt and where the structure sorts them.
SUPPORT_STRUCTURE = {
    "printer_settings": "not_flexperto",  # Druckereinstellungen
    "documents_to_use": "not_flexperto",  # zu verwendende Dokumente in der Online-Beratung
    "other_not_flexperto": "not_flexperto",  # sonstige Anfragen ohne technischen Bezug
    "password_forgotten": "first_level",  # Passwort vergessen
    "advisor_link_same_browser": "first_level",  # eingeloggt als Berater, Berater-Link im selben Browser
    "document_status_pending": "first_level",  # Dokumentenstatus "Ausstehend"
    "which_document_allowed": "project_lead",  # Welches Dokument darf verwendet werden
    "new_features_usage": "project_lead",  # Nutzen neuer Funktionalitäten
    "calendar_sync_missing": "second_level",  # Fehlende Kalender-Synchronisation
    "esign_upload_fails": "second_level",  # Dokumente können bei der e-Signatur nicht hochgeladen werden
    "change_email_address": "second_level",  # E-Mail-Adresse abändern
    "emails_not_delivered": "second_level",  # E-Mails werden nicht versendet bzw. empfangen
    "other_technical": "second_level",  # alles, was 1st Level nicht lösen kann
}


@pytest.mark.parametrize("case_id, outcome", SUPPORT_STRUCTURE.items())
def test_every_case_of_the_support_structure_is_there_with_its_outcome(case_id, outcome):
    case = CATALOGUE.get(case_id)
    assert case is not None, case_id
    assert case.outcome == outcome
    for language in ("de", "en"):
        assert case.title[language].strip() and case.guidance[language].strip(), (case_id, language)
        assert len(case.keywords[language]) >= 5, (case_id, language)  # searchable in both languages


@pytest.mark.parametrize("case", CATALOGUE.cases, ids=lambda case: case.id)
def test_every_case_has_an_article_or_a_routing_in_both_languages(case):
    article = CATALOGUE.article_for(case)
    assert article is not None, f"{case.id} has no article"
    for language in ("de", "en"):
        assert len(article.agent[language]) > 150, (case.id, language)
        if case.outcome in ("first_level", "not_flexperto"):
            # Self-help and "not ours" end with something the agent can pass on to the user.
            message = end_user_message(article, language)
            assert message is not None and len(message.body) > 80, (case.id, language)
        elif case.outcome == "project_lead":
            message = project_lead_message(case, language, question="Darf ich das PDF verwenden?")
            assert case.title_in(language) in message.subject and "Darf ich das PDF" in message.body
        else:
            report = Report.new()
            choose_case(report, case)
            assert applicable_steps(report)[-1] is Step.REVIEW  # routed to 2nd-level support


def test_german_and_english_texts_differ_so_none_was_left_untranslated():
    for case in CATALOGUE.cases:
        assert case.title["de"] != case.title["en"] or len(case.title["de"]) < 12, case.id
        article = CATALOGUE.article_for(case)
        assert article.agent["de"] != article.agent["en"], case.id


def test_no_text_for_end_users_names_the_support_address():
    for article in CATALOGUE.articles.values():
        for language in ("de", "en"):
            text = article.user_in(language) + article.user_subject_in(language)
            assert "@" not in text, (article.id, language)


def test_second_level_cases_demand_what_support_needs():
    fields = {case.id: {f.id: f.kind for f in case.fields} for case in CATALOGUE.by_category("second_level")}
    assert fields["calendar_sync_missing"] == {"calendar_system": "text", "calendar_account": "text"}
    assert fields["change_email_address"] == {"old_email": "email", "new_email": "email"}
    assert fields["emails_not_delivered"] == {"mail_sender": "text", "mail_recipient": "text",
                                              "spam_checked": "yesno"}
    assert CATALOGUE.get("esign_upload_fails").requires_evidence == ("document",)


def test_nothing_fits_leads_to_second_level():
    assert CATALOGUE.fallback.id == FALLBACK_CASE and CATALOGUE.fallback.outcome == "second_level"


@pytest.mark.parametrize("data, complaint", [
    ({"case": [{"id": "x", "outcome": "maybe", "title_de": "X", "guidance_de": "g"}]}, "bad_outcome"),
    ({"case": [{"id": "Bad Id", "outcome": "first_level", "title_de": "X", "guidance_de": "g"}]}, "bad_id"),
    ({"case": [{"id": "x", "outcome": "second_level", "guidance_de": "g"}]}, "missing"),
    ({"case": [{"id": "x", "outcome": "second_level", "title_de": "X", "guidance_de": "g"}]},
     "other_technical"),
])
def test_a_broken_builtin_catalogue_fails_loudly(data, complaint):
    with pytest.raises(ValueError, match=complaint):
        parse_catalogue(data)


def test_the_step_intro_and_category_names_exist_in_both_languages():
    for language in i18n.LANGUAGES:
        for category in SUPPORT_STRUCTURE.values():
            assert i18n.has(f"ui.category.{category}", language)
            assert i18n.has(f"triage.page.question_{category}", language) or category == "second_level"
