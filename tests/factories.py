"""Reports filled the way an agent would fill them, for tests across the package."""
from __future__ import annotations

from datetime import datetime, timezone

from capture_app.core.report.model import EvidenceItem, Report, new_id
from capture_app.core.triage.catalogue import builtin_catalogue
from capture_app.core.wizard.steps import choose_case

NOW = datetime(2026, 11, 27, 14, 0, tzinfo=timezone.utc)


def second_level_report(case_id: str = "other_technical") -> Report:
    report = Report.new(now=NOW, agent_timezone="Europe/Berlin")
    choose_case(report, builtin_catalogue().get(case_id))
    report.summary = "Videoberatung bricht nach 2 Minuten ab"
    d = report.description
    d.affected = "both"
    d.affected_name = "Berater M. Muster"
    d.area = "Videoberatung"
    d.url = "https://bank.flexperto.com/meeting/4711"
    d.what = "Bild und Ton frieren ein, dann wird die Verbindung getrennt."
    d.steps = "1. Termin starten\n2. Kamera freigeben\n3. warten"
    d.expected = "Das Gespräch läuft weiter."
    d.actual = "Nach etwa 2 Minuten: ‚Verbindung verloren‘."
    d.frequency = "always"
    d.affected_users = "several"
    d.urgency = "high"
    report.flexperto_instance = "https://bank.flexperto.com"
    report.meeting_reference = "Termin 4711"
    report.occurred.mode = "exact"
    report.occurred.at = "2026-11-27T10:15:00+01:00"
    report.occurred.timezone = "Europe/Berlin"
    for side, browser in ((report.advisor_environment, "Chrome"), (report.customer_environment, "Safari")):
        side.device_type = "laptop" if browser == "Chrome" else "tablet"
        side.os = "Windows" if browser == "Chrome" else "iPadOS"
        side.os_version = "11 23H2" if browser == "Chrome" else "17.5"
        side.browser = browser
        side.browser_version = "131.0.6778.86" if browser == "Chrome" else "17.5"
    report.advisor_environment.source = "this_machine"
    return report


def evidence_item(kind: str = "screenshot", **changes) -> EvidenceItem:
    item = EvidenceItem(id=new_id(), kind=kind, filename=f"{kind}.png", media_type="image/png",
                        size=1234, sha256="0" * 64, original_name=f"{kind}.png", title=kind,
                        added_at="2026-11-27T14:00:00+00:00")
    for key, value in changes.items():
        setattr(item, key, value)
    return item
