"""The report as people read it: the plain-text e-mail body and the self-contained HTML summary.

Both are built from one list of labelled sections, so the e-mail and ``report.html`` always show
the same fields. Labels and enum values come from the ``bundle`` catalogue. Only what is sent is
shown: excluded evidence and excluded system fields never appear.

The HTML file must be safe to open on a helpdesk machine: every piece of user text is escaped,
there are no scripts and no external references (styles inline), and a Content-Security-Policy
forbids loading anything from elsewhere even if a value slipped through. Screenshots are shown
from the bundle's own ``screenshots/`` folder beside the page (relative references, never a
second copy of every image inside the page: that doubled the size of every bundle).
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from capture_app.core.evidence.filetypes import INLINE_IMAGE_MEDIA_TYPES
from capture_app.core.platform.i18n import tr
from capture_app.core.platform.resources import read_text
from capture_app.core.platform.sizes import format_size
from capture_app.core.report.model import Environment, Report, parse_instant

LOG_KINDS = ("console", "network")


@dataclass
class Row:
    label: str
    value: str
    multiline: bool = False


@dataclass
class Section:
    key: str
    title: str
    rows: list[Row] = field(default_factory=list)


# --- small formatters -----------------------------------------------------------------------

def _zone(name: str) -> Any:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def format_instant(text: str, zone_name: str, language: str) -> str:
    """A stored ISO timestamp as a reader sees it: local to ``zone_name``, zone always named."""
    moment = parse_instant(text)
    if moment is None:
        return text  # show what was stored rather than nothing
    zone = _zone(zone_name)
    if zone is not None:
        moment = moment.astimezone(zone)
    pattern = tr("bundle.format.datetime" if moment.second == 0 else
                 "bundle.format.datetime_seconds", language=language)
    offset = moment.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}" if offset else ""
    if zone is None:  # no (known) zone name: the stored offset is all there is
        return tr("bundle.format.with_offset", language=language, time=moment.strftime(pattern),
                  offset=offset)
    return tr("bundle.format.with_zone", language=language, time=moment.strftime(pattern),
              zone=zone_name, offset=offset)


def _enum(name: str, value: str, language: str) -> str:
    if not value:
        return ""
    key = f"bundle.enum.{name}.{value}"
    text = tr(key, language=language)
    return value if text == f"⟦{key}⟧" else text


def _label(key: str, language: str) -> str:
    return tr(f"bundle.field.{key}", language=language)


# --- the sections ---------------------------------------------------------------------------

def _add(rows: list[Row], label_key: str, value: str, language: str, multiline: bool = False) -> None:
    """Only filled fields are shown; an empty label row would just be noise for the reader."""
    if isinstance(value, str) and value.strip():
        rows.append(Row(_label(label_key, language), value.strip(), multiline))


def _case(case_id: str) -> Any:
    """The triage catalogue's case, for its readable title and field labels (ids otherwise)."""
    if not case_id:
        return None
    try:
        from capture_app.core.triage.catalogue import effective_catalogue

        return effective_catalogue().catalogue.get(case_id)
    except Exception:  # noqa: BLE001 - a broken catalogue must not stop a report from being sent
        return None


def _reporter(report: Report, lang: str) -> list[Row]:
    rows: list[Row] = []
    r = report.reporter
    for attr in ("name", "email", "organisation", "phone"):
        _add(rows, f"reporter.{attr}", getattr(r, attr), lang)
    return rows


def _triage(report: Report, lang: str) -> list[Row]:
    rows: list[Row] = []
    t = report.triage
    _add(rows, "triage.category", _enum("category", t.category, lang), lang)
    case = _case(t.case_id)
    case_text = f"{case.title_in(lang)} ({t.case_id})" if case and t.case_id else t.case_id
    _add(rows, "triage.case_id", case_text, lang)
    _add(rows, "triage.escalation_reason", t.escalation_reason, lang, multiline=True)
    zone = report.agent_timezone or "UTC"
    steps = [_path_step(step, zone, lang) for step in t.path if isinstance(step, dict)]
    steps = [step for step in steps if step]
    if steps:
        text = "\n".join(f"{n}. {step}" for n, step in enumerate(steps, 1))
        _add(rows, "triage.path", text, lang, multiline=True)
    return rows


def _path_step(step: dict[str, Any], zone_name: str, lang: str) -> str:
    """One step of the triage path as a sentence (core.triage_path describes the entries)."""
    kind = str(step.get("step") or "")
    values = {key: str(value) for key, value in step.items() if value not in ("", None)}
    moment = parse_instant(values.get("at", ""))
    if moment is not None:
        zone = _zone(zone_name)
        values["time"] = (moment.astimezone(zone) if zone else moment).strftime("%H:%M")
    else:
        values["time"] = "—"
    if kind == "case":
        values["via"] = _enum("path_via", values.get("via", ""), lang)
        values["title"] = values.get("title") or values.get("case_id", "")
        key = "case_ranked" if values.get("rank", "0") not in ("0", "") else "case"
    elif kind == "search":
        key = "search" if values.get("results") else "search_none"
        values["results"] = str(len(values.get("results", "").split(",")))
    elif kind in ("nothing_fits", "shared", "answer"):
        key = kind
        values["what"] = _enum("path_shared", values.get("what", ""), lang)
        values["channel"] = _enum("path_channel", values.get("via", ""), lang)
        values["answer"] = _enum("path_answer", values.get("answer", ""), lang)
    else:
        # A step this version does not know: every recorded fact, in order.
        return "; ".join(f"{k}: {v}" for k, v in step.items() if v not in ("", None))
    values.setdefault("query", "")
    return tr(f"bundle.path.{key}", language=lang, **values)


def _description(report: Report, lang: str) -> list[Row]:
    rows: list[Row] = []
    d = report.description
    _add(rows, "description.affected", _enum("affected", d.affected, lang), lang)
    _add(rows, "description.affected_name", d.affected_name, lang)
    _add(rows, "description.area", d.area, lang)
    _add(rows, "description.url", d.url, lang)
    for attr in ("what", "steps", "expected", "actual"):
        _add(rows, f"description.{attr}", getattr(d, attr), lang, multiline=True)
    _add(rows, "description.frequency", _enum("frequency", d.frequency, lang), lang)
    _add(rows, "description.affected_users", _enum("affected_users", d.affected_users, lang), lang)
    _add(rows, "description.urgency", _enum("urgency", d.urgency, lang), lang)
    case = _case(report.triage.case_id)
    labels = {f.id: (f.label.get(lang) or f.label.get("de") or f.id) for f in case.fields} if case else {}
    for key, value in d.case_fields.items():
        if isinstance(value, str) and value.strip():
            rows.append(Row(labels.get(key, key), value.strip()))
    return rows


def _occurred(report: Report, lang: str) -> list[Row]:
    rows: list[Row] = []
    o = report.occurred
    zone = o.timezone or report.agent_timezone
    if o.mode == "window" and (o.start or o.end):
        _add(rows, "occurred.mode", _enum("time_mode", "window", lang), lang)
        _add(rows, "occurred.start", format_instant(o.start, zone, lang) if o.start else "", lang)
        _add(rows, "occurred.end", format_instant(o.end, zone, lang) if o.end else "", lang)
    elif o.at:
        _add(rows, "occurred.mode", _enum("time_mode", o.mode or "exact", lang), lang)
        _add(rows, "occurred.at", format_instant(o.at, zone, lang), lang)
    _add(rows, "occurred.timezone", o.timezone, lang)
    _add(rows, "occurred.note", o.note, lang, multiline=True)
    return rows


def _environment(env: Environment, lang: str) -> list[Row]:
    rows: list[Row] = []
    filled = [env.device_type, env.os, env.os_version, env.browser, env.browser_version,
              env.user_agent, env.notes]
    if env.unknown:
        rows.append(Row(_label("environment.unknown", lang),
                        tr("bundle.value.unknown_environment", language=lang)))
    if not any(isinstance(value, str) and value.strip() for value in filled):
        return rows  # "source: manual" alone would say nothing
    source = env.source
    if source == "manual" and env.user_agent.strip():
        source = "user_agent"  # recognised from a pasted user agent, not typed field by field
    _add(rows, "environment.source", _enum("source", source, lang), lang)
    _add(rows, "environment.device_type", _enum("device_type", env.device_type, lang), lang)
    for attr in ("os", "os_version", "browser", "browser_version", "user_agent"):
        _add(rows, f"environment.{attr}", getattr(env, attr), lang)
    _add(rows, "environment.notes", env.notes, lang, multiline=True)
    if env.support_note.strip():  # the supported-browser check (core.browser_support)
        rows.append(Row(tr("probes.report.support_check", language=lang), env.support_note.strip()))
    return rows


def _reference(report: Report, lang: str) -> list[Row]:
    rows: list[Row] = []
    _add(rows, "report.flexperto_instance", report.flexperto_instance, lang)
    _add(rows, "report.meeting_reference", report.meeting_reference, lang)
    return rows


def _evidence(report: Report, lang: str) -> list[Row]:
    rows = []
    if report.steps:  # the pictures are listed with their steps
        rows.append(Row(tr("bundle.section.steps", language=lang),
                        tr("steps.report_count", language=lang, count=len(report.steps))))
    for item in report.included_evidence():
        if item.kind == "step":
            continue
        parts = [item.filename, format_size(item.size, lang)]
        summary = getattr(item, "summary", "").strip()  # console/network logs: what they show
        # A log's summary says what it shows; its title (the import's wording) would repeat it.
        if item.title and item.title != item.filename and not (summary and item.kind in LOG_KINDS):
            parts.insert(1, item.title)
        if item.kind == "document" and item.no_personal_data_confirmed:
            parts.append(tr("bundle.value.no_personal_data_confirmed", language=lang))
        if item.pii_check:  # screenshots: the check of their text, in numbers
            parts.append(tr(f"screen_check.report_{item.pii_check}", language=lang,
                            places=item.pii_places, redacted=item.pii_redacted))
        text = " — ".join(parts)
        rows.append(Row(tr(f"evidence.kind.{item.kind}", language=lang),
                        f"{text}\n{summary}" if summary else text, bool(summary)))
    return rows


def _step_time(at: str, zone_name: str) -> str:
    moment = parse_instant(at)
    if moment is None:
        return ""
    zone = _zone(zone_name)
    return (moment.astimezone(zone) if zone else moment).strftime("%H:%M:%S")


def _steps(report: Report, lang: str, paths: dict[str, str] | None = None) -> list[Row]:
    """One row per recorded step: number, time, what was done, and where its picture is."""
    from capture_app.core.evidence.steps import describe

    pictures = paths if paths is not None else {
        item.id: f"steps/{item.filename}" for item in report.included_evidence()
        if item.kind == "step"}
    zone = report.agent_timezone or "UTC"
    rows = []
    for number, step in enumerate(report.steps, 1):
        line = tr("steps.report_line", language=lang, number=number,
                  time=_step_time(step.at, zone), text=describe(step, lang))
        picture = pictures.get(step.picture) if step.picture else None
        if picture:
            line += "\n" + tr("steps.report_picture", language=lang, path=picture)
        rows.append(Row(str(number), line, bool(picture)))
    return rows


def _system(report: Report, lang: str) -> list[Row]:
    from capture_app.core.environment.system_info import field_label

    rows = [Row(field_label(key, lang), value) for key, value in report.system.included().items()
            if isinstance(value, str) and value.strip()]
    # Names only: support should know a fact was withheld, never what it was.
    withheld = [field_label(key, lang) for key in report.system.excluded]
    if withheld:
        rows.append(Row(_label("system.excluded", lang), ", ".join(withheld)))
    return rows


def _meta(report: Report, lang: str) -> list[Row]:
    rows: list[Row] = []
    zone = report.agent_timezone or "UTC"
    _add(rows, "report.id", report.id, lang)
    _add(rows, "report.created_at", format_instant(report.created_at, zone, lang)
         if report.created_at else "", lang)
    _add(rows, "report.updated_at", format_instant(report.updated_at, zone, lang)
         if report.updated_at else "", lang)
    _add(rows, "report.agent_timezone", report.agent_timezone, lang)
    _add(rows, "report.language", tr(f"bundle.enum.language.{report.language}", language=lang)
         if report.language in ("de", "en") else report.language, lang)
    return rows


def build_sections(report: Report, language: str) -> list[Section]:
    """Every filled field, labelled, grouped as the support person reads it; empty groups dropped."""
    lang = language
    summary = [Row(_label("report.summary", lang), report.summary.strip(), True)] \
        if report.summary.strip() else []
    parts = [
        ("summary", summary),
        ("reporter", _reporter(report, lang)),
        ("triage", _triage(report, lang)),
        ("description", _description(report, lang)),
        ("occurred", _occurred(report, lang)),
        ("advisor_environment", _environment(report.advisor_environment, lang)),
        ("customer_environment", _environment(report.customer_environment, lang)),
        ("reference", _reference(report, lang)),
        ("evidence", _evidence(report, lang)),
        ("steps", _steps(report, lang)),
        ("system", _system(report, lang)),
        ("report", _meta(report, lang)),
    ]
    return [Section(key, tr(f"bundle.section.{key}", language=lang), rows)
            for key, rows in parts if rows]


def _headline(report: Report, language: str) -> str:
    title = tr("bundle.title", language=language)
    summary = " ".join(report.summary.split())
    return f"{title}: {summary}" if summary else title


# --- plain text (the e-mail body) -----------------------------------------------------------

def _titled_by_section(section: Section) -> bool:
    """One row labelled like its section ("Zusammenfassung"): the title is label enough."""
    return len(section.rows) == 1 and section.rows[0].label.strip(" :") == section.title.strip(" :")


def render_text(report: Report, language: str = "de") -> str:
    headline = _headline(report, language)
    lines = [headline, "=" * min(len(headline), 72), ""]
    for section in build_sections(report, language):
        lines += [section.title, "-" * len(section.title)]
        if _titled_by_section(section):
            lines += [section.rows[0].value, ""]
            continue
        if section.key == "steps":  # a numbered list, each line numbered already
            lines += [f"{line}".rstrip() if n == 0 else f"    {line}".rstrip()
                      for row in section.rows for n, line in enumerate(row.value.splitlines())]
            lines.append("")
            continue
        for row in section.rows:
            label = row.label if row.label.endswith(("?", ":")) else f"{row.label}:"
            if row.multiline and "\n" in row.value:
                lines.append(label)
                lines += [f"    {line}".rstrip() for line in row.value.splitlines()]
            else:
                lines.append(f"{label} {row.value}")
        lines.append("")
    lines.append(tr("bundle.text.footer", language=language))
    return "\n".join(lines) + "\n"


# --- HTML (report.html) ---------------------------------------------------------------------

# Images only from beside the page (the bundle's own folder), nothing from any server.
_CSP = "default-src 'none'; img-src 'self' file:; style-src 'unsafe-inline'"


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _html_rows(section: Section) -> str:
    if _titled_by_section(section):
        row = section.rows[0]
        css = ' class="multiline"' if row.multiline else ""
        return f"<tr><td{css} colspan=\"2\">{_esc(row.value)}</td></tr>"
    rows = []
    for row in section.rows:
        css = ' class="multiline"' if row.multiline else ""
        rows.append(f"<tr><th scope=\"row\">{_esc(row.label)}</th>"
                    f"<td{css}>{_esc(row.value)}</td></tr>")
    return "\n".join(rows)


def _html_images(report: Report, images: dict[str, str], language: str) -> str:
    figures = []
    for item in report.included_evidence():
        path = images.get(item.id)
        if item.kind == "step":
            continue  # shown with its step (_html_steps)
        # Only raster types a browser shows inline; never SVG or HTML, which can carry script.
        if path is None or item.media_type not in INLINE_IMAGE_MEDIA_TYPES:
            continue
        caption = item.title or item.filename
        figures.append(f'<figure><a href="{_esc(_url_path(path))}"><img src="{_esc(_url_path(path))}" '
                       f'alt="{_esc(caption)}"></a>'
                       f"<figcaption>{_esc(caption)} ({_esc(item.filename)})</figcaption></figure>")
    if not figures:
        return ""
    title = tr("bundle.section.screenshots", language=language)
    return f'<section class="images"><h2>{_esc(title)}</h2>\n' + "\n".join(figures) + "</section>"


def _html_steps(report: Report, images: dict[str, str], language: str) -> str:
    """The step-by-step view: number, what was done, the time, and the picture (click marked)."""
    from capture_app.core.evidence.steps import describe

    zone = report.agent_timezone or "UTC"
    items = []
    for number, step in enumerate(report.steps, 1):
        picture = ""
        path = images.get(step.picture) if step.picture else None
        if path is not None:
            ref = _esc(_url_path(path))
            picture = (f'<figure><a href="{ref}"><img src="{ref}" alt="{_esc(str(number))}"></a>'
                       f"<figcaption>{_esc(path)}</figcaption></figure>")
        items.append(f'<li id="step-{number}"><span class="step-text">{number}. '
                     f'{_esc(describe(step, language))}</span>'
                     f'<span class="step-time">{_esc(_step_time(step.at, zone))}</span>{picture}</li>')
    if not items:
        return ""
    title = tr("bundle.section.steps", language=language)
    return (f'<section class="steps"><h2>{_esc(title)}</h2>\n<ol class="steps">\n'
            + "\n".join(items) + "\n</ol></section>")


def _url_path(path: str) -> str:
    """A relative reference to a file in the bundle; every segment percent-encoded."""
    from urllib.parse import quote

    return "/".join(quote(segment, safe="") for segment in path.split("/"))


def render_html(report: Report, language: str = "de", images: dict[str, str] | None = None) -> str:
    """The HTML summary; ``images`` maps evidence ids to their paths inside the bundle.

    The screenshots follow the description (what happened, then what it looked like), not
    the end of a long page.
    """
    headline = _headline(report, language)
    parts = []
    pictures = _html_images(report, images or {}, language)
    sections = build_sections(report, language)
    for section in sections:
        if section.key == "steps":
            parts.append(_html_steps(report, images or {}, language))
            continue
        parts.append(f'<section class="{_esc(section.key)}"><h2>{_esc(section.title)}</h2>\n'
                     f"<table>\n{_html_rows(section)}\n</table></section>")
        if section.key == "description" and pictures:
            parts.append(pictures)
            pictures = ""
    if pictures:
        parts.append(pictures)
    generated = tr("bundle.text.footer", language=language)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{_esc(language)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(headline)}</title>\n<style>\n{read_text('report.css')}\n</style>\n"
        f"</head>\n<body>\n<h1>{_esc(headline)}</h1>\n"
        + "\n".join(part for part in parts if part)
        + f'\n<footer>{_esc(generated)}</footer>\n</body>\n</html>\n'
    )

