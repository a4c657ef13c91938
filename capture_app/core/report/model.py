"""The report: one model for what the agent fills in, what is stored as a draft and what is sent.

``report.json`` is ``Report.to_dict()``; ``resources/report.schema.json`` describes it. The id is a
UUID that never changes: it names the draft, is the idempotency key when sending and the left
part of the e-mail's Message-ID.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, cast

SCHEMA_VERSION = 1

TRIAGE_CATEGORIES = ("not_flexperto", "first_level", "project_lead", "second_level")
AFFECTED = ("advisor", "customer", "both")
FREQUENCIES = ("once", "sometimes", "always")
AFFECTED_USERS = ("one", "several", "all")
URGENCIES = ("low", "normal", "high", "critical")
DEVICE_TYPES = ("desktop", "laptop", "tablet", "phone", "other")
ENVIRONMENT_SOURCES = ("this_machine", "manual")
SUPPORT_STATUSES = ("supported", "outdated", "unsupported_browser", "unsupported_platform", "in_app",
                    "unchecked")
TIME_MODES = ("exact", "window")
EVIDENCE_KINDS = ("screenshot", "console", "network", "document", "other", "step")
# Evidence the agent attaches as a file; a "step" picture comes from the step recorder only.
ATTACHABLE_KINDS = EVIDENCE_KINDS[:-1]
STEP_KINDS = ("click", "typing", "shortcut", "comment")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def new_id() -> str:
    """A random (version 4) UUID as RFC 4122 text; built here because the uuid module's import
    (it probes the platform) costs more start-up time than these five lines."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass
class Reporter:
    name: str = ""
    email: str = ""
    organisation: str = ""
    phone: str = ""


@dataclass
class Triage:
    category: str = ""  # one of TRIAGE_CATEGORIES, "" until chosen
    case_id: str = ""
    # Why a case sorted as "not Flexperto" / self-help is escalated anyway.
    escalation_reason: str = ""
    # What the agent searched, saw and answered, in order (see core.triage).
    path: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Description:
    affected: str = ""  # who: one of AFFECTED
    affected_name: str = ""  # optional name or account of the affected person
    area: str = ""  # where on the platform
    url: str = ""
    what: str = ""
    steps: str = ""
    expected: str = ""
    actual: str = ""
    frequency: str = ""
    affected_users: str = ""
    urgency: str = "normal"
    # Case-specific fields required by the triage catalogue (e.g. old and new e-mail address).
    case_fields: dict[str, str] = field(default_factory=dict)


@dataclass
class Occurrence:
    mode: str = "exact"  # "exact" or "window"
    at: str = ""  # ISO 8601 with offset, for "exact"
    start: str = ""  # ISO 8601 with offset, for "window"
    end: str = ""
    timezone: str = ""  # IANA name the agent entered the time in
    note: str = ""


@dataclass
class Environment:
    source: str = "manual"  # "this_machine" or "manual"
    unknown: bool = False  # the agent could not find out
    device_type: str = ""
    os: str = ""
    os_version: str = ""
    browser: str = ""
    browser_version: str = ""
    user_agent: str = ""
    notes: str = ""
    # The supported-browser check when the side was filled in (core.browser_support): its
    # status and the message in the report's language, so support sees what the agent saw.
    support_status: str = ""
    support_note: str = ""


@dataclass
class EvidenceItem:
    id: str
    kind: str
    filename: str  # sanitised, unique within the report; the name inside the bundle
    media_type: str
    size: int
    sha256: str
    original_name: str = ""
    title: str = ""
    added_at: str = ""
    excluded: bool = False
    # Documents (e-signature) must be confirmed free of personal data before they may be sent.
    no_personal_data_confirmed: bool = False
    # A screenshot of the browser's developer console (labelled as such for the support desk).
    shows_console: bool = False
    # What a console log or network log shows (errors, failed requests), for the report text.
    summary: str = ""
    # Screenshots: whether their text was read and checked for personal data ("" not yet,
    # "checked", "incomplete": cut short by the time limit, "skipped": no text recognition), and
    # how many places were found, redacted, and left undecided - never the text that was read.
    pii_check: str = ""
    pii_places: int = 0
    pii_redacted: int = 0
    pii_open: int = 0


@dataclass
class Step:
    """One recorded step (``core.evidence.steps``): what the agent did, where, and when.

    Typing keeps the number of keys only, never the keys; a click's picture is an evidence item
    of kind ``step`` (``picture``: its id, "" for steps without one).
    """

    number: int
    kind: str  # one of STEP_KINDS
    at: str  # ISO 8601 with offset
    x: int = 0  # click position in physical pixels of the virtual desktop
    y: int = 0
    button: str = ""  # left, right, middle
    clicks: int = 1  # clicks faster than the capture rate, counted into one step
    monitor: int = 0  # the monitor clicked on (from 1), 0 unknown
    window_title: str = ""
    application: str = ""
    element_name: str = ""
    element_role: str = ""
    keys: int = 0  # typing: how many keys
    shortcut: str = ""  # "Ctrl+C", "Alt+Tab"
    comment: str = ""
    picture: str = ""


@dataclass
class SystemInfo:
    values: dict[str, str] = field(default_factory=dict)
    excluded: list[str] = field(default_factory=list)

    def included(self) -> dict[str, str]:
        return {k: v for k, v in self.values.items() if k not in self.excluded}


@dataclass
class Report:
    id: str = field(default_factory=new_id)
    schema_version: int = SCHEMA_VERSION
    created_at: str = ""
    updated_at: str = ""
    agent_timezone: str = ""
    language: str = "de"
    reporter: Reporter = field(default_factory=Reporter)
    triage: Triage = field(default_factory=Triage)
    summary: str = ""
    description: Description = field(default_factory=Description)
    occurred: Occurrence = field(default_factory=Occurrence)
    advisor_environment: Environment = field(default_factory=Environment)
    customer_environment: Environment = field(default_factory=Environment)
    evidence: list[EvidenceItem] = field(default_factory=list)
    system: SystemInfo = field(default_factory=SystemInfo)
    flexperto_instance: str = ""
    meeting_reference: str = ""
    steps: list[Step] = field(default_factory=list)

    @classmethod
    def new(cls, *, now: datetime | None = None, agent_timezone: str = "", language: str = "de",
            reporter: Reporter | None = None) -> Report:
        stamp = iso(now or utc_now())
        return cls(created_at=stamp, updated_at=stamp, agent_timezone=agent_timezone,
                   language=language, reporter=reporter or Reporter())

    def touch(self, now: datetime | None = None) -> None:
        self.updated_at = iso(now or utc_now())

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        if not isinstance(data, dict):
            raise ReportFormatError("report.format_not_object")
        version = data.get("schema_version", SCHEMA_VERSION)
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise ReportFormatError("report.format_newer_version", version=version)
        if not isinstance(data.get("id"), str) or not data["id"]:
            raise ReportFormatError("report.format_no_id")
        return cast("Report", _build(cls, data))

    def evidence_item(self, item_id: str) -> EvidenceItem | None:
        return next((item for item in self.evidence if item.id == item_id), None)

    def included_evidence(self) -> list[EvidenceItem]:
        return [item for item in self.evidence if not item.excluded]


class ReportFormatError(ValueError):
    """A stored report that cannot be read; ``key``/``params`` make the message for the agent."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


_NESTED = {
    "reporter": Reporter, "triage": Triage, "description": Description, "occurred": Occurrence,
    "advisor_environment": Environment, "customer_environment": Environment, "system": SystemInfo,
}


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _build(cls: type, data: dict[str, Any]) -> Any:
    """Build a dataclass from a dict, ignoring unknown keys and keeping defaults for missing ones."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    kwargs = {}
    for name in names:
        if name not in data:
            continue
        value = data[name]
        if cls is Report and name in _NESTED and isinstance(value, dict):
            value = _build(_NESTED[name], value)
        elif cls is Report and name == "evidence" and isinstance(value, list):
            value = [_build(EvidenceItem, item) for item in value if isinstance(item, dict)]
        elif cls is Report and name == "steps" and isinstance(value, list):
            value = [_build(Step, item) for item in value if isinstance(item, dict)]
        kwargs[name] = value
    try:
        return cls(**kwargs)
    except TypeError as exc:  # a required field (EvidenceItem) is missing
        raise ReportFormatError("report.format_incomplete", detail=str(exc)) from exc


def parse_instant(text: str) -> datetime | None:
    """An ISO 8601 timestamp that carries its offset; naive or malformed gives ``None``."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        return None
    return moment




# Clocks of the agent's machine and the affected machine differ a little.
FUTURE_TOLERANCE = timedelta(minutes=10)
MAX_WINDOW = timedelta(days=31)
