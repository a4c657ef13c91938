"""Helpdesk profiles for hosted services against servers that answer as their API references
document (Zendesk, Freshdesk, Jira Service Management, Zammad), including the fault matrix."""
from __future__ import annotations

import pytest
from sendhelpers.fault_proxy import (
    KILL_AFTER_LAST_BYTE,
    KILL_MID_UPLOAD,
    RESET_AFTER_COMMIT,
    SLOW_ANSWER,
    Fault,
    FaultProxy,
)
from sendhelpers.hosted_helpdesks import HOSTED
from sendhelpers.outbox_runs import clock, outbox, store  # noqa: F401 - fixtures
from sendhelpers.outbox_runs import hosted_transport as transport_for
from sendhelpers.outbox_runs import settle as run
from sendhelpers.reports import stored_report

from capture_app.core.platform.secrets import Secret
from capture_app.core.sending.service import OutboxSender
from capture_app.core.sending.transports.content import BundleContents

# The call that creates the ticket, per vendor (where a fault hits hardest).
CREATE = {"zendesk": "POST /api/v2/tickets ", "freshdesk": "POST /api/v2/tickets ",
          "jira_service_management": "POST /rest/servicedeskapi/request ",
          "zammad": "POST /api/v1/tickets "}


def bundle_files(bundle) -> dict[str, str]:
    with BundleContents(bundle) as contents:
        return {m.filename: m.sha256 for m in [*contents.attachments(), contents.manifest_member()]}


@pytest.mark.parametrize("vendor", sorted(HOSTED))
def test_a_report_becomes_one_complete_ticket(vendor, store, outbox, clock):
    report = stored_report(store)
    outbox.enqueue(report.id)
    with HOSTED[vendor]() as server:
        [outcome] = run(outbox, OutboxSender(outbox, lambda: transport_for(server, clock=clock)), clock)
        assert outcome.state == "sent", outcome.error and outcome.error.message()
        [number] = list(server.tickets)
        assert server.files_of(number) == bundle_files(outbox.bundle_path(report.id))
        fields = server.tickets[number]["fields"]
    receipt = outbox.receipt(report.id)
    assert receipt.tickets == (receipt.reference,)
    if vendor == "zendesk":
        assert fields["external_id"] == report.id and fields["priority"] == "high"
        assert fields["requester"]["email"] == "petra.support@example-bank.de"
    if vendor == "freshdesk":
        assert fields["priority"] == "3" and fields["email"] == "petra.support@example-bank.de"
    if vendor == "jira_service_management":
        assert receipt.reference.startswith("HELPDESK-")
    if vendor == "zammad":
        assert fields["group"] == "2nd Level" and receipt.reference.startswith("3")


@pytest.mark.parametrize("vendor", sorted(HOSTED))
def test_wrong_credentials_need_the_settings(vendor, store, outbox, clock):
    report = stored_report(store)
    outbox.enqueue(report.id)
    with HOSTED[vendor]() as server:
        transport = transport_for(server, clock=clock)
        transport._secret = Secret("falsch")
        [outcome] = run(outbox, OutboxSender(outbox, lambda: transport), clock)
        assert server.tickets == {}
    assert outcome.state == "needs_attention" and outcome.error.key == "sending.http.auth_rejected"


@pytest.mark.parametrize("fault", [KILL_AFTER_LAST_BYTE, SLOW_ANSWER, RESET_AFTER_COMMIT, KILL_MID_UPLOAD])
@pytest.mark.parametrize("vendor", sorted(HOSTED))
def test_faults_never_make_a_second_ticket_nor_lose_the_report(vendor, fault, store, outbox, clock):
    report = stored_report(store)
    outbox.enqueue(report.id)
    with HOSTED[vendor]() as server, FaultProxy(server.port) as proxy:
        proxy.faults.append(Fault(fault, match=CREATE[vendor], delay=3.0))
        sender = OutboxSender(outbox, lambda: transport_for(server, proxy.url("/"), read_timeout=1.0,
                                                            clock=clock))
        outcomes = run(outbox, sender, clock)
        assert proxy.applied, "the fault was not applied"
        assert [o.state for o in outcomes][-1] == "sent", [o.error for o in outcomes]
        [number] = list(server.tickets)  # exactly one ticket
        assert server.files_of(number) == bundle_files(outbox.bundle_path(report.id))


@pytest.mark.parametrize("vendor", sorted(HOSTED))
def test_the_connection_check_signs_in_with_the_profile_and_creates_nothing(vendor):
    from capture_app.core.sending.transports.base import PermanentTransportError

    with HOSTED[vendor]() as server:
        transport = transport_for(server)
        message = transport.check()
        assert "Anmeldung angenommen" in message and "unverschlüsselt" in message
        transport._secret = Secret("falsch")
        with pytest.raises(PermanentTransportError) as caught:
            transport.check()
        assert caught.value.key == "sending.http.auth_rejected"
        assert server.tickets == {}


# Per vendor: the read-back call, the recorded answer of that kind with the place of its first
# listed object, where an answer lists its file entries, and the recorded file entry.
READ_BACK = {
    "zendesk": ("api/v2/tickets/{id}/comments", ("ticket_comments.json", lambda a: a),
                lambda a: [e for c in a["comments"] for e in c["attachments"]],
                ("attachment.json", lambda r: r["attachment"]), "file_name"),
    "freshdesk": ("api/v2/tickets/{id}", ("ticket.json", lambda a: a), lambda a: a["attachments"],
                  ("ticket.json", lambda r: r["attachments"][0]), "name"),
    "jira_service_management": ("rest/servicedeskapi/request/{id}/attachment",
                                ("attachment_created.json", lambda a: a.get("attachments", a)),
                                lambda a: a["values"],
                                ("attachment_created.json", lambda r: r["attachments"]["values"][0]), "filename"),
    "zammad": ("api/v1/ticket_articles/by_ticket/{id}", ("articles_by_ticket.json", lambda a: a[0]),
               lambda a: [e for article in a for e in article["attachments"]],
               ("article_created.json", lambda r: r["attachments"][0]), "filename"),
}


@pytest.mark.parametrize("vendor", sorted(HOSTED))
def test_the_servers_answer_with_the_vendors_recorded_answers(vendor, store, outbox, clock):
    """What the profiles read back has the recorded answer's shape — the same fields, down to
    every file entry — with this ticket's files in it."""
    import requests
    from sendhelpers.hosted_helpdesks import recorded

    report = stored_report(store)
    outbox.enqueue(report.id)
    with HOSTED[vendor]() as server:
        [outcome] = run(outbox, OutboxSender(outbox, lambda: transport_for(server, clock=clock)), clock)
        assert outcome.state == "sent"
        [number] = list(server.tickets)
        path, (recording, first), entries_of, (entry_recording, entry_of), name_key = READ_BACK[vendor]
        answer = requests.get(server.url + path.format(id=number), timeout=10,
                              headers={"Authorization": server.expected_auth}).json()
        files = server.files_of(number)

    assert set(first(answer)) == set(first(recorded(vendor, recording)))
    entry_fields = set(entry_of(recorded(vendor, entry_recording)))
    entries = entries_of(answer)
    assert entries and all(set(entry) == entry_fields for entry in entries)
    assert {entry[name_key] for entry in entries} == set(files)
