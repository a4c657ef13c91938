"""The size budget: the real encoded size per transport, and proposals that bring it under."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from sendhelpers.reports import add_evidence, built_bundle, paths_for, stored_report

from capture_app.core.platform.secrets import Secret
from capture_app.core.report.drafts import DraftStore
from capture_app.core.sending import size_budget
from capture_app.core.sending.transports.http import HttpSettings, HttpTransport
from capture_app.core.sending.transports.smtp import SmtpSettings, SmtpTransport


@pytest.fixture
def store(tmp_path):
    with DraftStore(paths_for(tmp_path)) as draft_store:
        yield draft_store


def smtp(limit: int) -> SmtpTransport:
    return SmtpTransport(SmtpSettings(host="mail.example-bank.de", sender="a@example-bank.de",
                                      max_message_bytes=limit), Secret("x"))


def fake_scaler(source: Path, target: Path, factor: float) -> str:
    # Stands in for the UI's image scaler: a file with factor² of the bytes.
    target.write_bytes(os.urandom(int(source.stat().st_size * factor * factor)))
    return "image/png"


def test_base64_makes_a_report_that_fits_as_files_too_large_as_mail(store, tmp_path):
    report = stored_report(store, with_evidence=False)
    add_evidence(store, report, "screenshot", "gross.png", "image/png", os.urandom(90_000))
    store.save(report)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    mail = size_budget.measure(smtp(100_000), bundle, report)
    assert report.evidence[0].size < 100_000 < mail.size  # raw fits, encoded does not
    assert mail.over and mail.excess == mail.size - 100_000
    assert 1.3 < mail.expansion < 1.5
    web = size_budget.measure(HttpTransport(HttpSettings(endpoint="https://t.example.com",
                                                         max_upload_bytes=100_000)), bundle, report)
    assert not web.over and web.size < mail.size


def test_proposals_downscale_then_trim_then_exclude_and_bring_it_under(store, tmp_path):
    report = stored_report(store, with_evidence=False)
    add_evidence(store, report, "screenshot", "a.png", "image/png", os.urandom(120_000))
    add_evidence(store, report, "screenshot", "b.png", "image/png", os.urandom(60_000))
    log = b"".join(f"{n:06d} console.error: Verbindung verloren\n".encode() for n in range(4000))
    add_evidence(store, report, "console", "konsole.log", "text/plain", log)
    store.save(report)
    transport = smtp(200_000)
    budget = size_budget.measure(transport, built_bundle(store, report, tmp_path / "1.zip"), report)
    proposals = size_budget.propose(report, budget)
    assert [p.kind for p in proposals][:2] == ["downscale", "downscale"]
    assert all(size_budget.MIN_FACTOR <= p.factor <= 0.9 for p in proposals if p.kind == "downscale")
    assert "verkleinern" in proposals[0].describe("de") and "a.png" in proposals[0].describe("de")

    changed = size_budget.apply(report, store, proposals, fake_scaler)
    store.save(changed)
    after = size_budget.measure(transport, built_bundle(store, changed, tmp_path / "2.zip"), changed)
    assert not after.over, (budget.size, after.size, [p.kind for p in proposals])
    old_ids = {i.id for i in report.evidence}
    for proposal in proposals:
        if proposal.kind in ("downscale", "trim"):
            assert proposal.item_id not in {i.id for i in changed.evidence}  # write-once: new items
    assert [i.filename for i in changed.evidence] == ["a.png", "b.png", "konsole.log"]
    assert any(i.id not in old_ids for i in changed.evidence)


def test_a_downscaled_step_picture_stays_its_steps_picture(store, tmp_path):
    from capture_app.core.report.model import Step

    report = stored_report(store, with_evidence=False)
    add_evidence(store, report, "step", "schritt-001.png", "image/png", os.urandom(300_000))
    report.steps = [Step(1, "click", "2026-11-27T13:03:12+00:00", picture=report.evidence[0].id)]
    store.save(report)
    budget = size_budget.measure(smtp(200_000), built_bundle(store, report, tmp_path / "1.zip"), report)
    proposals = [p for p in size_budget.propose(report, budget) if p.kind == "downscale"]
    assert proposals
    changed = size_budget.apply(report, store, proposals, fake_scaler)
    assert changed.steps[0].picture == changed.evidence[0].id != report.evidence[0].id


def test_nothing_is_proposed_when_it_fits(store, tmp_path):
    report = stored_report(store)
    budget = size_budget.measure(smtp(10_000_000), built_bundle(store, report, tmp_path / "b.zip"),
                                 report)
    assert not budget.over and size_budget.propose(report, budget) == []


def test_trimming_keeps_the_start_and_the_newest_lines_with_a_marker():
    lines = [f"Zeile {n}\n".encode() for n in range(10_000)]
    trimmed = size_budget.trim_text(b"".join(lines), 20_000, "de")
    assert len(trimmed) <= 20_000 + 200
    assert trimmed.startswith(b"Zeile 0\n") and trimmed.endswith(b"Zeile 9999\n")
    text = trimmed.decode()
    assert "Zeilen wurden gekürzt" in text
    left_out = int(text.split("[… ", 1)[1].split(" ", 1)[0])
    assert left_out + text.count("Zeile ") == 10_000  # every line is either kept or counted


def test_an_image_that_cannot_shrink_enough_is_offered_for_exclusion(store, tmp_path):
    report = stored_report(store, with_evidence=False)
    add_evidence(store, report, "document", "vertrag.pdf", "application/pdf", os.urandom(300_000),
                 no_personal_data_confirmed=True)
    store.save(report)
    transport = smtp(100_000)
    budget = size_budget.measure(transport, built_bundle(store, report, tmp_path / "b.zip"), report)
    [proposal] = size_budget.propose(report, budget)
    assert proposal.kind == "exclude" and proposal.name == "vertrag.pdf"
    changed = size_budget.apply(report, store, [proposal], None)
    assert changed.evidence[0].excluded
