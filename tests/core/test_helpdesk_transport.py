"""Helpdesk profiles against a real django-helpdesk (PyPI, SQLite) started here on 127.0.0.1."""
from __future__ import annotations

import pytest
from sendhelpers.django_helpdesk_server import HelpdeskProcess
from sendhelpers.fault_proxy import (
    KILL_AFTER_LAST_BYTE,
    KILL_MID_UPLOAD,
    RESET_AFTER_COMMIT,
    SLOW_ANSWER,
    Fault,
    FaultProxy,
)
from sendhelpers.outbox_runs import clock, outbox, store  # noqa: F401 - fixtures
from sendhelpers.outbox_runs import helpdesk_transport as transport_for
from sendhelpers.outbox_runs import settle as run
from sendhelpers.reports import add_evidence, stored_report

from capture_app.core.platform.secrets import Secret
from capture_app.core.sending.service import OutboxSender
from capture_app.core.sending.transports.content import BundleContents

BODY_LIMIT = 3 * 1024 * 1024  # the web server in front of the helpdesk: 3 MB per request


@pytest.fixture(scope="module")
def helpdesk(tmp_path_factory):
    with HelpdeskProcess(tmp_path_factory.mktemp("django-helpdesk")) as process:
        yield process


@pytest.fixture(scope="module")
def limited_helpdesk(tmp_path_factory):
    with HelpdeskProcess(tmp_path_factory.mktemp("django-helpdesk-limited"), BODY_LIMIT) as process:
        yield process


def tickets_of(helpdesk, report) -> list[dict]:
    return [t for t in helpdesk.tickets() if report.id in t["description"]]


def expected_files(bundle) -> dict[str, str]:
    with BundleContents(bundle) as contents:
        members = [*contents.attachments(), contents.manifest_member()]
    names = {}
    for member in members:
        name = member.filename
        if not name.endswith((".png", ".pdf", ".txt")):
            name += ".txt"
        names[name] = member.sha256
    return names


def test_a_report_becomes_one_complete_ticket(helpdesk, store, outbox, clock, tmp_path):
    report = stored_report(store)  # urgency "high", a screenshot, a console log, a PDF
    outbox.enqueue(report.id)
    sender = OutboxSender(outbox, lambda: transport_for(helpdesk, clock=clock))

    [outcome] = run(outbox, sender, clock)

    assert outcome.state == "sent", outcome.error and outcome.error.message()
    [ticket] = tickets_of(helpdesk, report)
    assert ticket["queue"] == helpdesk.queue and ticket["priority"] == 2  # high → 2 (of 1–5)
    assert ticket["submitter_email"] == "petra.support@example-bank.de"
    assert ticket["title"].startswith("[Problem melden] Example Bank AG")
    bundle = outbox.bundle_path(report.id)
    wanted = expected_files(bundle)
    stored = {f["name"]: f["sha256"] for f in ticket["files"]}
    assert stored == wanted  # every file, byte for byte, once
    receipt = outbox.receipt(report.id)
    assert receipt.reference == str(ticket["id"]) and receipt.tickets == (str(ticket["id"]),)
    assert {name: digest for name, _size, digest in receipt.files} == wanted


def test_many_files_all_arrive(helpdesk, store, outbox, clock):
    report = stored_report(store, with_evidence=False)
    for n in range(14):
        add_evidence(store, report, "other", f"notiz-{n:02d}.txt", "text/plain",
                     f"Notiz {n}\n".encode() * (50 + n))
    store.save(report)
    outbox.enqueue(report.id)
    [outcome] = run(outbox, OutboxSender(outbox, lambda: transport_for(helpdesk, clock=clock)), clock)
    assert outcome.state == "sent"
    [ticket] = tickets_of(helpdesk, report)
    assert len(ticket["files"]) == 16  # 14 notes, report.json, manifest.json
    assert {f["name"]: f["sha256"] for f in ticket["files"]} == expected_files(outbox.bundle_path(report.id))


def test_a_file_over_the_helpdesks_limit_is_named_and_the_report_is_not_sent(
        limited_helpdesk, store, outbox, clock):
    helpdesk = limited_helpdesk
    import os

    report = stored_report(store)
    add_evidence(store, report, "document", "scan.pdf", "application/pdf",
                 b"%PDF-1.4\n" + os.urandom(BODY_LIMIT + 1000), no_personal_data_confirmed=True)
    store.save(report)
    outbox.enqueue(report.id)
    sender = OutboxSender(outbox, lambda: transport_for(helpdesk, clock=clock))

    [outcome] = run(outbox, sender, clock)

    assert outcome.state == "needs_attention"
    assert outcome.error.key == "sending.helpdesk.files_missing"
    message = outcome.error.message()
    assert "1 von 6 Dateien fehlen" in message and "scan.pdf" in message
    [ticket] = tickets_of(helpdesk, report)
    assert "scan.pdf" not in {f["name"] for f in ticket["files"]}
    [item] = outbox.items()
    assert item.state == "needs_attention" and item.tickets == (str(ticket["id"]),)

    # Retrying reuses the ticket: no second one, only the missing file is tried again.
    outbox.retry(report.id)
    [again] = run(outbox, sender, clock)
    assert again.state == "needs_attention"
    assert len(tickets_of(helpdesk, report)) == 1


@pytest.mark.parametrize("fault", [KILL_AFTER_LAST_BYTE, SLOW_ANSWER, RESET_AFTER_COMMIT])
def test_an_attempt_that_ended_without_an_answer_finds_its_ticket_instead_of_creating_another(
        helpdesk, store, outbox, clock, fault):
    report = stored_report(store)
    outbox.enqueue(report.id)
    with FaultProxy(int(helpdesk.url.rsplit(":", 1)[1].strip("/"))) as proxy:
        proxy.faults.append(Fault(fault, match="POST /api/tickets/", delay=4.0))
        url = proxy.url("/")
        sender = OutboxSender(outbox, lambda: transport_for(helpdesk, url, read_timeout=1.5, clock=clock))
        outcomes = run(outbox, sender, clock)

    assert [o.state for o in outcomes] == ["queued", "sent"], [o.error for o in outcomes]
    first = outcomes[0]
    assert first.error.ambiguous and "möglicherweise" in first.error.message()
    [ticket] = tickets_of(helpdesk, report)
    assert {f["name"] for f in ticket["files"]} == set(expected_files(outbox.bundle_path(report.id)))
    assert outbox.receipt(report.id).tickets == (str(ticket["id"]),)


def test_a_kill_mid_upload_creates_nothing_and_the_next_attempt_one_complete_ticket(
        helpdesk, store, outbox, clock):
    import os

    report = stored_report(store, with_evidence=False)
    add_evidence(store, report, "screenshot", "gross.png", "image/png", os.urandom(24 * 1024 * 1024))
    store.save(report)
    outbox.enqueue(report.id)
    with FaultProxy(int(helpdesk.url.rsplit(":", 1)[1].strip("/"))) as proxy:
        proxy.faults.append(Fault(KILL_MID_UPLOAD, match="POST /api/tickets/"))
        sender = OutboxSender(outbox, lambda: transport_for(helpdesk, proxy.url("/"), clock=clock))
        outcomes = run(outbox, sender, clock)
    assert [o.state for o in outcomes] == ["queued", "sent"]
    assert not outcomes[0].error.ambiguous  # the body never arrived: nothing to look for
    [ticket] = tickets_of(helpdesk, report)
    assert {f["name"]: f["sha256"] for f in ticket["files"]} == expected_files(outbox.bundle_path(report.id))


def test_the_outbox_says_the_report_may_have_arrived_with_its_ticket(helpdesk, store, outbox, clock):
    report = stored_report(store)
    outbox.enqueue(report.id)
    with FaultProxy(int(helpdesk.url.rsplit(":", 1)[1].strip("/"))) as proxy:
        proxy.faults.append(Fault(RESET_AFTER_COMMIT, match="POST /api/tickets/"))
        sender = OutboxSender(outbox, lambda: transport_for(helpdesk, proxy.url("/"), clock=clock))
        outcome = sender.send_next()
    assert outcome.state == "queued"
    [item] = outbox.items()
    assert item.ambiguous and item.state == "queued"


def test_the_connection_check_signs_in_at_the_real_helpdesk(helpdesk):
    from capture_app.core.sending.transports.base import PermanentTransportError

    assert "django-helpdesk" in transport_for(helpdesk).check()
    wrong = transport_for(helpdesk)
    wrong._secret = Secret("falsch")
    with pytest.raises(PermanentTransportError) as caught:
        wrong.check()
    assert caught.value.key == "sending.http.auth_rejected"
