"""Reports stored the way the app stores them: in a real draft store, with real evidence files."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from capture_app import __version__
from capture_app.core.platform.paths import AppPaths
from capture_app.core.report.drafts import DraftStore
from capture_app.core.report.model import EvidenceItem, Report, new_id
from capture_app.core.sending.bundle import build_bundle
from capture_app.core.sending.outbox import Outbox

FIXTURES = Path(__file__).resolve().parent.parent / "core" / "fixtures"


def paths_for(root: Path) -> AppPaths:
    return AppPaths(Path(root) / "data", Path(root) / "config", Path(root) / "system" / "config.toml")


def add_evidence(store: DraftStore, report: Report, kind: str, filename: str, media_type: str,
                 data: bytes, **extra) -> EvidenceItem:
    item = EvidenceItem(id=new_id(), kind=kind, filename=filename, media_type=media_type, size=0,
                        sha256="", original_name=filename, title=filename,
                        added_at="2026-11-27T14:00:00+00:00", **extra)
    item.size, item.sha256 = store.store_attachment(report.id, item.id, data)
    report.evidence.append(item)
    return item


def stored_report(store: DraftStore, *, summary: str = "Videoberatung bricht ab",
                  with_evidence: bool = True, extra_bytes: int = 0) -> Report:
    """A complete second-level report with a screenshot, a console log and a document."""
    from factories import second_level_report

    report = second_level_report()
    report.summary = summary
    report.reporter.name = "Petra Support"
    report.reporter.email = "petra.support@example-bank.de"
    report.reporter.organisation = "Example Bank AG"
    if with_evidence:
        add_evidence(store, report, "screenshot", "bildschirm.png", "image/png",
                     (FIXTURES / "screenshot.png").read_bytes())
        add_evidence(store, report, "console", "konsole.log", "text/plain",
                     (FIXTURES / "console.log").read_bytes())
        add_evidence(store, report, "document", "vertrag.pdf", "application/pdf",
                     (FIXTURES / "vertrag.pdf").read_bytes(), no_personal_data_confirmed=True)
    if extra_bytes:
        add_evidence(store, report, "other", "gross.bin", "application/octet-stream",
                     os.urandom(extra_bytes))
    store.save(report)
    return report


def built_bundle(store: DraftStore, report: Report, out: Path) -> Path:
    build_bundle(report, lambda item: store.attachment_path(report.id, item.id), out,
                 app_version=__version__, language="de")
    return out


def queued(store: DraftStore, outbox: Outbox, **kwargs) -> Report:
    report = stored_report(store, **kwargs)
    outbox.enqueue(report.id)
    return report


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
