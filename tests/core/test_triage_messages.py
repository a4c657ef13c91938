"""What leaves triage for the end user never names the support address; mails are well-formed."""
from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from capture_app.core.triage.catalogue import Article, builtin_catalogue
from capture_app.core.triage.messages import (
    Message,
    end_user_message,
    project_lead_message,
    without_support_addresses,
)

CATALOGUE = builtin_catalogue()


def test_the_user_text_is_the_articles_text_signed_by_the_agent():
    article = CATALOGUE.articles["password_forgotten"]
    message = end_user_message(article, "de", agent_name="Anna Agentin", organisation="Musterbank AG")
    assert message.body.startswith("Guten Tag,")
    assert "Passwort vergessen?" in message.body
    assert message.body.endswith("Viele Grüße\nAnna Agentin\nMusterbank AG")
    assert message.subject == "Ihr Passwort für die Online-Beratung"
    english = end_user_message(article, "en")
    assert english.body.startswith("Hello,") and english.body.endswith("Kind regards")


def test_an_edited_article_naming_the_support_address_loses_those_lines():
    article = Article(
        "edited", {"de": "Bearbeitet"}, {"de": "Für Sie."},
        user={"de": "Guten Tag,\n\nbitte setzen Sie Ihr Passwort zurück.\n"
                    "Hilft das nicht, schreiben Sie an SUPPORT@flexperto.com.\n"
                    "Oder an hilfe@team.flexperto.de.\n"
                    "Oder an unseren Service: it-support@musterbank.example\n"
                    "Oder an 2nd-level@intern.example"},
        user_subject={"de": "Passwort – support@flexperto.com"})
    message = end_user_message(article, "de", support_emails=["2nd-level@intern.example"])
    text = (message.subject + message.body + message.mailto()).lower()
    assert "flexperto.com" not in text and "flexperto.de" not in text
    assert "2nd-level@intern.example" not in text
    assert "it-support@musterbank.example" in message.body  # the organisation's own desk may stay
    assert "bitte setzen Sie Ihr Passwort zurück." in message.body


def test_an_article_without_a_user_text_gives_no_message():
    assert end_user_message(CATALOGUE.articles["calendar_sync_missing"], "de") is None
    only_address = Article("x", {"de": "X"}, {"de": "Y"}, user={"de": "support@flexperto.com"})
    assert end_user_message(only_address, "de") is None


def test_mailto_encodes_everything_and_uses_crlf():
    message = Message("Betreff mit Ümlaut & ?", "Zeile 1\nZeile 2 = 100 %\n#Ende", "kunde@example.org")
    url = message.mailto()
    assert url.startswith("mailto:kunde@example.org?subject=")
    assert "\n" not in url and " " not in url and "#" not in url.split("?", 1)[1]
    query = parse_qs(urlsplit(url).query)
    assert query["subject"] == ["Betreff mit Ümlaut & ?"]
    assert query["body"] == ["Zeile 1\r\nZeile 2 = 100 %\r\n#Ende"]
    assert unquote(url).count("Zeile") == 2


def test_a_subject_is_one_line_even_if_an_article_has_line_breaks():
    article = Article("x", {"de": "X"}, {"de": "Y"}, user={"de": "Text"},
                      user_subject={"de": "Erste\r\nBcc: boese@example.org"})
    message = end_user_message(article, "de")
    assert message.subject == "Erste Bcc: boese@example.org"
    assert "%0D%0ABcc" not in message.mailto()


def test_the_message_to_the_project_lead_carries_the_question_and_the_case():
    case = CATALOGUE.get("which_document_allowed")
    message = project_lead_message(case, "de", question="Darf die Beraterin das Merkblatt 2026 hochladen?",
                                   lead_name="Erika Beispiel", lead_email="pl@musterbank.example",
                                   agent_name="Anna Agentin", organisation="Musterbank AG")
    assert message.to == "pl@musterbank.example"
    assert message.subject == "Frage an die Projektleitung: Welches Dokument darf verwendet werden?"
    assert message.body.startswith("Guten Tag Erika Beispiel,")
    assert "Darf die Beraterin das Merkblatt 2026 hochladen?" in message.body
    assert message.body.endswith("Viele Grüße\nAnna Agentin\nMusterbank AG")
    assert message.mailto().startswith("mailto:pl@musterbank.example?subject=Frage%20an%20die")
    empty = project_lead_message(case, "en", question="  ")
    assert "Please enter the user's question" in empty.body and empty.body.startswith("Hello,")


def test_without_support_addresses_keeps_everything_else():
    text = "a\n\nb support@flexperto.com\n\n\nc"
    assert without_support_addresses(text) == "a\n\nc"
