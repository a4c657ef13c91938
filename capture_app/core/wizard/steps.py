"""The report wizard's decisions, without any UI.

Which steps apply, in which order, what each step requires and what blocks "Weiter" are decided
here; the Qt wizard only renders them. Every path is tested headless.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from capture_app.core.platform.i18n import current_language, tr
from capture_app.core.platform.timezones import valid_timezone
from capture_app.core.report.model import (
    AFFECTED,
    AFFECTED_USERS,
    DEVICE_TYPES,
    FREQUENCIES,
    FUTURE_TOLERANCE,
    MAX_WINDOW,
    TIME_MODES,
    URGENCIES,
    Environment,
    Report,
    parse_instant,
    utc_now,
)
from capture_app.core.triage.catalogue import Case, Catalogue, builtin_catalogue


class Step(str, Enum):
    TRIAGE = "triage"
    DETAILS = "details"
    TIME = "time"
    ENVIRONMENT = "environment"
    EVIDENCE = "evidence"
    REVIEW = "review"


STEP_ORDER = (Step.TRIAGE, Step.DETAILS, Step.TIME, Step.ENVIRONMENT, Step.EVIDENCE, Step.REVIEW)

ERROR = "error"
WARNING = "warning"

MIN_SUMMARY = 8
MIN_WHAT = 15
MIN_REASON = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    """Something the agent must fix (error) or should look at (warning) in one field."""

    field: str
    key: str
    severity: str = ERROR
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    def message(self, language: str | None = None) -> str:
        params = dict(self.params)
        if "field" not in params:
            # The field's name, so that a message read on its own says which field it is about.
            params["field"] = tr(f"wizard.field.{self.field}", language=language)
        return tr(f"wizard.{self.key}", language=language, **params)


@dataclass
class WizardContext:
    catalogue: Catalogue = field(default_factory=builtin_catalogue)
    now: datetime | None = None
    max_total_bytes: int = 25 * 1024 * 1024

    def current_time(self) -> datetime:
        return self.now or utc_now()


class Outcome(str, Enum):
    """What the triage decided; only ESCALATE continues to the report steps."""

    UNDECIDED = "undecided"
    NOT_FLEXPERTO = "not_flexperto"
    SELF_HELP = "first_level"
    PROJECT_LEAD = "project_lead"
    ESCALATE = "second_level"


def selected_case(report: Report, ctx: WizardContext) -> Case | None:
    return ctx.catalogue.get(report.triage.case_id)


def outcome(report: Report) -> Outcome:
    category = report.triage.category
    return Outcome(category) if category else Outcome.UNDECIDED


def choose_case(report: Report, case: Case, previous: Case | None = None) -> None:
    """Select a catalogue case: its outcome becomes the category; a previous escalation is undone.
    Where the case names its area of the platform, "Wo auf der Plattform?" is preset with it,
    unless the agent has written something of their own there."""
    report.triage.case_id = case.id
    report.triage.category = case.outcome
    report.triage.escalation_reason = ""
    language = report.language or current_language()
    area = report.description.area.strip()
    preset_before = tr(f"ui.area.{previous.area}", language=language) if previous and previous.area else ""
    if not area or area == preset_before:
        report.description.area = tr(f"ui.area.{case.area}", language=language) if case.area else ""


def carry_over_summary(report: Report, case: Case | None, query: str) -> None:
    """A case escalated from triage starts its summary with what the agent searched for (or the
    case's title when the search was too short to say much); a summary already written stays."""
    if report.summary.strip() or case is None:
        return
    language = report.language or current_language()
    report.summary = query.strip() if len(query.strip()) >= MIN_SUMMARY else case.title_in(language)


def clear_case(report: Report) -> None:
    """Withdraw the choice (the agent searched for something else): nothing is decided yet."""
    report.triage.case_id = ""
    report.triage.category = ""
    report.triage.escalation_reason = ""


def escalate(report: Report, reason: str) -> None:
    """Send a case that triage sorted elsewhere to 2nd-level support anyway, with the reason."""
    report.triage.category = Outcome.ESCALATE.value
    report.triage.escalation_reason = reason.strip()


def is_escalated_exception(report: Report, ctx: WizardContext) -> bool:
    case = selected_case(report, ctx)
    return bool(case and case.outcome != Outcome.ESCALATE.value
                and report.triage.category == Outcome.ESCALATE.value)


def applicable_steps(report: Report) -> list[Step]:
    """Before triage is decided the whole path is shown (most reports that reach this app go all
    the way); a case solved or routed elsewhere ends at triage."""
    if outcome(report) in (Outcome.ESCALATE, Outcome.UNDECIDED):
        return list(STEP_ORDER)
    return [Step.TRIAGE]


def next_step(report: Report, step: Step) -> Step | None:
    steps = applicable_steps(report)
    index = steps.index(step) if step in steps else -1
    return steps[index + 1] if 0 <= index < len(steps) - 1 else None


def previous_step(report: Report, step: Step) -> Step | None:
    steps = applicable_steps(report)
    index = steps.index(step) if step in steps else 0
    return steps[index - 1] if index > 0 else None


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == ERROR]


def can_advance(report: Report, step: Step, ctx: WizardContext) -> bool:
    return not errors(step_problems(report, step, ctx))


def first_incomplete_step(report: Report, ctx: WizardContext) -> Step:
    """Where a resumed draft opens: the first step that still has errors, else Review."""
    steps = applicable_steps(report)
    for step in steps:
        if errors(step_problems(report, step, ctx)):
            return step
    return steps[-1]


def ready_to_send(report: Report, ctx: WizardContext) -> list[Problem]:
    """All blocking problems across the steps; empty means the report may leave the machine."""
    if outcome(report) is not Outcome.ESCALATE:
        return [Problem("triage.category", "not_escalated")]
    found: list[Problem] = []
    for step in STEP_ORDER:
        found.extend(errors(step_problems(report, step, ctx)))
    return found


def step_problems(report: Report, step: Step, ctx: WizardContext) -> list[Problem]:
    return _CHECKS[step](report, ctx)


# --- the checks of each step ---------------------------------------------------------------

def _check_triage(report: Report, ctx: WizardContext) -> list[Problem]:
    found = []
    case = selected_case(report, ctx)
    if case is None:
        found.append(Problem("triage.case_id", "choose_case"))
        return found
    if is_escalated_exception(report, ctx) and len(report.triage.escalation_reason) < MIN_REASON:
        found.append(Problem("triage.escalation_reason", "reason_required", params={"min": MIN_REASON}))
    return found


def _required_text(value: str, field_name: str, minimum: int = 1) -> list[Problem]:
    text = value.strip()
    if not text:
        return [Problem(field_name, "required")]
    if len(text) < minimum:
        return [Problem(field_name, "too_short", params={"min": minimum})]
    return []


def _check_choice(value: str, allowed: tuple[str, ...], field_name: str, required: bool) -> list[Problem]:
    if not value:
        return [Problem(field_name, "required")] if required else []
    if value not in allowed:
        return [Problem(field_name, "invalid_choice", params={"value": value})]
    return []


def _check_details(report: Report, ctx: WizardContext) -> list[Problem]:
    d = report.description
    found = _required_text(report.summary, "summary", MIN_SUMMARY)
    found += _check_choice(d.affected, AFFECTED, "description.affected", required=True)
    if not d.area.strip() and not d.url.strip():
        found.append(Problem("description.area", "where_required"))
    if d.url.strip() and not _URL.match(d.url.strip()):
        found.append(Problem("description.url", "bad_url", params={"value": d.url.strip()}))
    found += _required_text(d.what, "description.what", MIN_WHAT)
    found += _check_choice(d.frequency, FREQUENCIES, "description.frequency", required=False)
    found += _check_choice(d.affected_users, AFFECTED_USERS, "description.affected_users", required=False)
    found += _check_choice(d.urgency, URGENCIES, "description.urgency", required=True)
    instance = report.flexperto_instance.strip()
    if instance and not _URL.match(instance):
        found.append(Problem("flexperto_instance", "bad_url", params={"value": instance}))
    case = selected_case(report, ctx)
    language = current_language()
    for case_field in case.fields if case else ():
        value = d.case_fields.get(case_field.id, "").strip()
        name = f"description.case_fields.{case_field.id}"
        label = case_field.label.get(language) or case_field.label["de"]
        if not value:
            found.append(Problem(name, "required", params={"field": label}))
        elif case_field.kind == "email" and not _EMAIL.match(value):
            found.append(Problem(name, "bad_email", params={"value": value, "field": label}))
    return found


def _check_instant(text: str, field_name: str, now: datetime) -> tuple[list[Problem], datetime | None]:
    if not text:
        return [Problem(field_name, "required")], None
    moment = parse_instant(text)
    if moment is None:
        return [Problem(field_name, "bad_time", params={"value": text})], None
    if moment - now > FUTURE_TOLERANCE:
        return [Problem(field_name, "time_in_future")], moment
    return [], moment


def _check_time(report: Report, ctx: WizardContext) -> list[Problem]:
    o = report.occurred
    now = ctx.current_time()
    found = _check_choice(o.mode, TIME_MODES, "occurred.mode", required=True)
    if not valid_timezone(o.timezone):
        found.append(Problem("occurred.timezone", "bad_timezone", params={"value": o.timezone}))
    if o.mode == "exact":
        found += _check_instant(o.at, "occurred.at", now)[0]
    elif o.mode == "window":
        start_problems, start = _check_instant(o.start, "occurred.start", now)
        end_problems, end = _check_instant(o.end, "occurred.end", now)
        found += start_problems + end_problems
        if start and end:
            if end <= start:
                found.append(Problem("occurred.end", "window_order"))
            elif end - start > MAX_WINDOW:
                found.append(Problem("occurred.end", "window_too_long", params={"days": MAX_WINDOW.days}))
    return found


def _check_side(env: Environment, prefix: str) -> list[Problem]:
    if env.unknown:
        return [Problem(f"{prefix}.unknown", "side_unknown", WARNING)]
    found = _check_choice(env.device_type, DEVICE_TYPES, f"{prefix}.device_type", required=True)
    found += _required_text(env.browser, f"{prefix}.browser")
    found += _required_text(env.browser_version, f"{prefix}.browser_version")
    return found


def _check_environment(report: Report, ctx: WizardContext) -> list[Problem]:
    return (_check_side(report.advisor_environment, "advisor_environment")
            + _check_side(report.customer_environment, "customer_environment"))


def _check_evidence(report: Report, ctx: WizardContext) -> list[Problem]:
    found = []
    included = report.included_evidence()
    # A recorded step's picture is a screenshot of the monitor clicked on.
    kinds = {item.kind for item in included}
    if "step" in kinds:
        kinds.add("screenshot")
    case = selected_case(report, ctx)
    for kind in case.requires_evidence if case else ():
        if kind not in kinds:
            found.append(Problem("evidence", f"requires_{kind}"))
    for item in included:
        if item.kind == "document" and not item.no_personal_data_confirmed:
            found.append(Problem(f"evidence.{item.id}", "confirm_no_personal_data",
                                 params={"name": item.filename}))
    if "screenshot" not in kinds:
        found.append(Problem("evidence", "no_screenshot", WARNING))
    return found


def _check_review(report: Report, ctx: WizardContext) -> list[Problem]:
    total = sum(item.size for item in report.included_evidence())
    if total > ctx.max_total_bytes:
        return [Problem("evidence", "total_too_large", WARNING, params={
            "size_mb": f"{total / 1048576:.1f}", "limit_mb": f"{ctx.max_total_bytes / 1048576:.0f}"})]
    return []


_CHECKS = {
    Step.TRIAGE: _check_triage,
    Step.DETAILS: _check_details,
    Step.TIME: _check_time,
    Step.ENVIRONMENT: _check_environment,
    Step.EVIDENCE: _check_evidence,
    Step.REVIEW: _check_review,
}
