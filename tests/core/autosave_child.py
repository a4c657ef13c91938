"""Child process for test_drafts_kill.py: autosaves one draft in a loop until it is killed.

Usage: ``python autosave_child.py <root folder> <report id> <max seconds>``. It imports
everything, prints ``ready`` and waits for ``go`` on stdin, so the parent can start the next
child while it checks the last one. Then it continues the stored draft from its version ``n``:
every save writes version ``n + 1``, whose every field (and every attachment) is derived from
``n``, and prints ``committed <n>`` once ``save()`` has returned. It stops by itself after
``max seconds`` or when stdin closes before ``go``.

The parent loads this file as a module to use :func:`check_version`.
"""
from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

from capture_app.core.platform.paths import AppPaths
from capture_app.core.report.drafts import DraftNotFoundError, DraftStore
from capture_app.core.report.model import EvidenceItem, Report, new_id

TEXT_REPEAT = 1500  # description.what spans several database pages


def paths_for(root: Path) -> AppPaths:
    return AppPaths(root / "data", root / "config", root / "system" / "config.toml")


def attachment_content(n: int, index: int) -> bytes:
    return f"item {index} of version {n}\n".encode() * (800 + 300 * index + n % 11)


def apply_version(report: Report, n: int, evidence: list[EvidenceItem]) -> None:
    report.summary = f"v{n}"
    report.description.what = f"v{n}" * TEXT_REPEAT
    report.description.steps = f"steps of {n}"
    report.reporter.name = f"agent {n}"
    report.triage.case_id = f"case-{n}"
    report.triage.path = [{"n": n, "step": step} for step in range(n % 3)]
    report.system.values = {"n": str(n)}
    report.evidence = evidence


def check_version(report: Report, store: DraftStore) -> int:
    """Assert that every field and attachment of ``report`` belongs to one version; return it."""
    assert report.summary.startswith("v"), report.summary
    n = int(report.summary[1:])
    assert report.description.what == f"v{n}" * TEXT_REPEAT, f"what mixes versions (summary v{n})"
    assert report.description.steps == f"steps of {n}"
    assert report.reporter.name == f"agent {n}"
    assert report.triage.case_id == f"case-{n}"
    assert report.triage.path == [{"n": n, "step": step} for step in range(n % 3)]
    assert report.system.values == {"n": str(n)}
    assert len(report.evidence) == n % 5, (n, len(report.evidence))
    for index, item in enumerate(report.evidence):
        assert item.filename == f"item{index}-v{n}.bin"
        data = store.attachment_path(report.id, item.id).read_bytes()
        assert data == attachment_content(n, index), f"attachment {index} of v{n} differs"
        assert (item.size, item.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    return n


def main() -> None:
    root, report_id, max_seconds = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return
    deadline = time.monotonic() + max_seconds
    with DraftStore(paths_for(root)) as store:
        try:
            report = store.load(report_id)
            n = int(report.summary[1:])
        except DraftNotFoundError:
            report, n = Report(id=report_id), 0
        print(f"start {n}", flush=True)
        while time.monotonic() < deadline:
            n += 1
            # Attachments are write-once: a new version gets new files under new item ids,
            # stored before the save that references them; the old files go after it.
            previous = report.evidence
            evidence = []
            for index in range(n % 5):
                item = EvidenceItem(id=new_id(), kind="screenshot",
                                    filename=f"item{index}-v{n}.bin",
                                    media_type="application/octet-stream", size=0, sha256="")
                item.size, item.sha256 = store.store_attachment(report.id, item.id,
                                                                attachment_content(n, index))
                evidence.append(item)
            apply_version(report, n, evidence)
            store.save(report)
            print(f"committed {n}", flush=True)
            for item in previous:
                store.remove_attachment(report.id, item.id)
    print("done", flush=True)


if __name__ == "__main__":
    main()
