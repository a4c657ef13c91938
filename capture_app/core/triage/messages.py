"""Texts that leave triage: the self-help text for the end user and the message to the project lead.

The support e-mail address is for 1st-level agents only (support structure: "Bitte geben Sie
die Support-e-Mail Adresse nicht an die Anwender weiter"). Articles can be edited by the
organisation, so every end-user text is filtered here, whatever the article says: a line naming
the configured support address or any Flexperto address is left out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from capture_app.core.platform.i18n import tr
from capture_app.core.triage.catalogue import Article, Case

DEFAULT_SUPPORT_EMAIL = "support@flexperto.com"
# Any address at Flexperto's own domain is support's business, never the end user's.
_FLEXPERTO_ADDRESS = re.compile(r"[^\s@<>()\[\],;:\"']+@(?:[a-z0-9-]+\.)*flexperto\.[a-z]{2,}", re.IGNORECASE)
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x85]+")


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    to: str = ""

    def as_text(self) -> str:
        return self.body

    def mailto(self) -> str:
        """A ``mailto:`` URL (RFC 6068): everything percent-encoded, line breaks as CRLF."""
        from urllib.parse import quote

        body = self.body.replace("\r\n", "\n").replace("\n", "\r\n")
        return (f"mailto:{quote(self.to, safe='@')}?subject={quote(self.subject, safe='')}"
                f"&body={quote(body, safe='')}")


def _one_line(text: str) -> str:
    """A subject is one line: no header injection through an edited article."""
    return " ".join(_LINE_BREAKS.sub(" ", text).split())


def without_support_addresses(text: str, support_emails: list[str] | tuple[str, ...] = ()) -> str:
    """``text`` without the lines that name a support address."""
    forbidden = {address.strip().casefold() for address in (*support_emails, DEFAULT_SUPPORT_EMAIL)
                 if address and address.strip()}
    kept = []
    for line in text.split("\n"):
        folded = line.casefold()
        if any(address in folded for address in forbidden) or _FLEXPERTO_ADDRESS.search(line):
            continue
        kept.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def _closing(language: str, agent_name: str, organisation: str) -> str:
    lines = [tr("triage.message.closing", language=language)]
    lines += [part for part in (agent_name.strip(), organisation.strip()) if part]
    return "\n".join(lines)


def end_user_message(article: Article, language: str, *, support_emails: Any = (), agent_name: str = "",
                     organisation: str = "", to: str = "") -> Message | None:
    """The self-help text for the end user, signed by the agent; ``None`` if the article has none."""
    text = without_support_addresses(article.user_in(language), support_emails)
    if not text:
        return None
    body = f"{text}\n\n{_closing(language, agent_name, organisation)}"
    subject = without_support_addresses(_one_line(article.user_subject_in(language)), support_emails)
    return Message(subject or _one_line(article.title_in(language)), body, to)


def project_lead_message(case: Case, language: str, *, question: str, lead_name: str = "",
                         lead_email: str = "", agent_name: str = "", organisation: str = "") -> Message:
    """The prepared message that forwards a question to the organisation's project lead."""
    greeting = (tr("triage.message.lead_greeting_named", language=language, name=lead_name.strip())
                if lead_name.strip() else tr("triage.message.lead_greeting", language=language))
    question = question.strip() or tr("triage.message.lead_no_question", language=language)
    body = "\n\n".join([
        greeting,
        tr("triage.message.lead_intro", language=language, case=case.title_in(language)),
        question,
        tr("triage.message.lead_request", language=language),
        _closing(language, agent_name, organisation),
    ])
    subject = _one_line(tr("triage.message.lead_subject", language=language, case=case.title_in(language)))
    return Message(subject, body, lead_email.strip())
