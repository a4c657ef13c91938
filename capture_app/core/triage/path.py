"""The triage path: what the agent searched, saw and answered, kept in ``report.triage.path``.

2nd-level support reads it to know what was already tried. Each entry is a flat dict of strings
and integers (so ``report.txt`` can print it as "key: value"), always with

    step   what happened, one of STEPS
    at     when, ISO 8601 in UTC

and, by step:

    search        query (the agent's words, shortened to MAX_QUERY), results (ids of the cases
                  shown, best first, comma-separated; "" when nothing matched)
    case          case_id, title (in the report's language), outcome, via ("search" or "list"),
                  rank (1-based place in the results; 0 when chosen from the full list),
                  article (id of the article shown with it, "" if none)
    nothing_fits  query: the agent found no case and went to 2nd-level support
    shared        what ("user_text" or "lead_message"), via ("clipboard" or "email"), article
    answer        answer (one of ANSWERS), case_id

Typing and browsing produce many small steps; consecutive ``search`` entries and consecutive
``case`` entries are merged into the last one, so the path shows what the agent settled on.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from capture_app.core.report.model import Report, iso, utc_now
from capture_app.core.triage.catalogue import Article, Case

STEPS = ("search", "case", "nothing_fits", "shared", "answer")
ANSWERS = (
    "solved",  # self-help worked; the draft is deleted
    "not_helped",  # self-help did not work; escalated with a reason
    "escalated",  # a not-Flexperto or project-lead case escalated anyway, with a reason
    "escalation_undone",
    "forwarded_to_project_lead",
    "closed_not_flexperto",
)
MAX_QUERY = 300
MAX_ENTRIES = 200


def _now(now: datetime | None) -> str:
    return iso(now or utc_now())


def _append(report: Report, entry: dict[str, Any], *, merge_with_last: bool = False) -> dict[str, Any]:
    path = report.triage.path
    if merge_with_last and path and isinstance(path[-1], dict) and path[-1].get("step") == entry["step"]:
        path[-1] = entry
    else:
        path.append(entry)
    if len(path) > MAX_ENTRIES:
        del path[: len(path) - MAX_ENTRIES]  # the oldest searches matter least
    return entry


def _query(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_QUERY else text[: MAX_QUERY - 1] + "…"


def record_search(report: Report, query: str, result_ids: list[str], *,
                  now: datetime | None = None) -> dict[str, Any] | None:
    """A search the agent made; an empty query records nothing."""
    query = _query(query)
    if not query:
        return None
    return _append(report, {"step": "search", "at": _now(now), "query": query,
                            "results": ", ".join(result_ids[:5])}, merge_with_last=True)


def record_case(report: Report, case: Case, *, language: str, via: str, rank: int = 0,
                article: Article | None = None, now: datetime | None = None) -> dict[str, Any]:
    return _append(report, {
        "step": "case", "at": _now(now), "case_id": case.id, "title": case.title_in(language),
        "outcome": case.outcome, "via": via, "rank": int(rank), "article": article.id if article else "",
    }, merge_with_last=True)


def record_nothing_fits(report: Report, query: str, *, now: datetime | None = None) -> dict[str, Any]:
    return _append(report, {"step": "nothing_fits", "at": _now(now), "query": _query(query)})


def record_shared(report: Report, what: str, via: str, article_id: str = "", *,
                  now: datetime | None = None) -> dict[str, Any]:
    return _append(report, {"step": "shared", "at": _now(now), "what": what, "via": via,
                            "article": article_id})


def record_answer(report: Report, answer: str, *, now: datetime | None = None) -> dict[str, Any]:
    if answer not in ANSWERS:
        raise ValueError(f"unknown triage answer {answer!r}")
    return _append(report, {"step": "answer", "at": _now(now), "answer": answer,
                            "case_id": report.triage.case_id})


def last_query(report: Report) -> str:
    """The most recent search, e.g. to prefill a message; "" if the agent never searched."""
    for entry in reversed(report.triage.path):
        if isinstance(entry, dict) and entry.get("step") in ("search", "nothing_fits") and entry.get("query"):
            return str(entry["query"])
    return ""
