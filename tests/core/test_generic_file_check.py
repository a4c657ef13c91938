"""The generic multipart intake: a report is sent only when the server lists every file.

Against a real HTTP server on 127.0.0.1 (``sendhelpers.http_server.TicketServer``) that keeps
the files of each ticket, can silently lose some, lists them in its answer or on read-back and
takes further uploads to a ticket.
"""
from __future__ import annotations

import pytest
from sendhelpers.http_server import TicketServer
from sendhelpers.outbox_runs import clock, outbox, settle, store  # noqa: F401 - fixtures
from sendhelpers.reports import stored_report

from capture_app.core.platform.i18n import tr
from capture_app.core.platform.secrets import Secret
from capture_app.core.sending.outbox import FIX_RETRY, FIX_SETTINGS
from capture_app.core.sending.service import OutboxSender
from capture_app.core.sending.transports.base import PermanentTransportError
from capture_app.core.sending.transports.content import BundleContents
from capture_app.core.sending.transports.http import HttpSettings, HttpTransport
from capture_app.core.sending.transports.verify import Listing

TOKEN = "tok-generic-4711"
SENT_FILES = {"report.json", "bildschirm.png", "konsole.log", "vertrag.pdf", "manifest.json"}
IN_ANSWER = Listing(files_path="files", name_field="name", size_field="size", sha256_field="sha256")
READ_BACK = "{endpoint}/{ticket}/files"


@pytest.fixture
def server():
    with TicketServer() as ticket_server:
        yield ticket_server


def listing_answers(server: TicketServer) -> None:
    """The intake answers a create with the ticket and the files it kept."""
    server.answer_json = lambda ticket: {"id": ticket["id"], "files": server.listing(ticket["id"])}


def transport(server: TicketServer, clock, listing: Listing | None = None) -> HttpTransport:
    listing = listing or Listing()
    settings = HttpSettings(endpoint=server.url, connect_timeout=3, read_timeout=5,
                            organisation="Example Bank AG", listing=listing)
    return HttpTransport(settings, Secret(TOKEN), clock=clock)


def send(outbox, store, server, clock, listing: Listing):
    report = stored_report(store)
    outbox.enqueue(report.id)
    outcomes = settle(outbox, OutboxSender(outbox, lambda: transport(server, clock, listing)), clock)
    return report, outcomes[-1]


def bundle_hashes(outbox, report) -> dict[str, str]:
    with BundleContents(outbox.bundle_path(report.id)) as contents:
        members = [*contents.attachments(), contents.manifest_member()]
        return {m.filename: m.sha256 for m in members}


def test_a_ticket_that_lists_every_file_is_sent(outbox, store, server, clock):
    listing_answers(server)
    report, outcome = send(outbox, store, server, clock, IN_ANSWER)

    assert outcome.state == "sent", outcome.error and outcome.error.message()
    receipt = outbox.receipt(report.id)
    assert receipt.unchecked == "" and receipt.reference == "T-1001"
    [ticket] = server.tickets
    assert {f["name"]: f["sha256"] for f in server.listing(ticket)} == bundle_hashes(outbox, report)


def test_a_file_the_intake_lost_is_uploaded_again_and_then_the_report_is_sent(
        outbox, store, server, clock):
    listing_answers(server)
    server.drops = {"vertrag.pdf"}
    listing = Listing(files_path="files", size_field="size", sha256_field="sha256",
                      readback_url=READ_BACK, upload_url=READ_BACK)
    report, outcome = send(outbox, store, server, clock, listing)

    assert outcome.state == "sent", outcome.error and outcome.error.message()
    [ticket] = server.tickets  # completed, not created again
    uploads = [r for r in server.requests if r.outcome == "upload"]
    assert len(uploads) == 1 and b'filename="vertrag.pdf"' in uploads[0].body
    assert {f["name"] for f in server.listing(ticket)} == SENT_FILES
    assert outbox.receipt(report.id).unchecked == ""


def test_a_lost_file_without_an_upload_address_needs_attention_with_the_count(
        outbox, store, server, clock):
    listing_answers(server)
    server.drops = {"vertrag.pdf"}
    report, outcome = send(outbox, store, server, clock, IN_ANSWER)

    assert outcome.state == "needs_attention"
    assert outbox.receipt(report.id) is None  # never "sent"
    [item] = outbox.items()
    assert item.state == "needs_attention" and item.tickets == ("T-1001",)
    assert item.error.fix == FIX_SETTINGS  # retrying as it is would create a second ticket
    message = item.error.message("de")
    assert "Das Ticket T-1001 wurde angelegt, aber 1 von 5 Dateien fehlen dort (vertrag.pdf)" in message
    assert "nicht als gesendet" in message
    assert "1 of 5 files are missing" in item.error.message("en")


def test_a_ticket_that_lists_no_files_at_all_has_every_file_missing(outbox, store, server, clock):
    server.answer_json = lambda ticket: {"id": ticket["id"], "files": []}
    _report, outcome = send(outbox, store, server, clock, IN_ANSWER)

    assert outcome.state == "needs_attention"
    assert "5 von 5 Dateien fehlen" in outcome.error.message("de")


def test_files_lost_on_the_upload_too_are_completed_on_the_same_ticket_by_retrying(
        outbox, store, server, clock):
    listing_answers(server)
    server.drops = {"vertrag.pdf", "konsole.log"}
    server.upload_drops = {"konsole.log"}  # the intake refuses it again, for now
    listing = Listing(files_path="files", readback_url=READ_BACK, upload_url=READ_BACK)
    report, outcome = send(outbox, store, server, clock, listing)

    assert outcome.state == "needs_attention"
    assert outcome.error.key == "sending.helpdesk.files_missing"
    assert outcome.error.params["missing"] == 1 and outcome.error.params["names"] == "konsole.log"
    assert outbox.items()[0].error.fix == FIX_RETRY

    server.upload_drops = set()
    outbox.retry(report.id)
    outcomes = settle(outbox, OutboxSender(outbox, lambda: transport(server, clock, listing)), clock)

    assert outcomes[-1].state == "sent", outcomes[-1].error and outcomes[-1].error.message()
    assert list(server.tickets) == ["T-1001"]  # the retry completed the ticket, no second one
    assert {f["name"] for f in server.listing("T-1001")} == SENT_FILES
    assert outbox.receipt(report.id).reference == "T-1001"


def test_an_intake_that_lists_nothing_leaves_the_report_accepted_with_files_unchecked(
        outbox, store, server, clock):
    _report, outcome = send(outbox, store, server, clock, Listing())

    assert outcome.state == "sent"  # final: the server took it; nothing to retry
    assert outcome.receipt.unchecked == "sending.verify.not_configured"
    [item] = outbox.items()  # read back from the outbox file
    assert item.receipt.unchecked == "sending.verify.not_configured"
    assert len(item.receipt.files) == 5
    assert "keine Dateiprüfung" in tr(item.receipt.unchecked, language="de")


def test_an_answer_without_the_configured_list_is_unchecked_not_sent(outbox, store, server, clock):
    server.answer_json = lambda ticket: {"id": ticket["id"]}  # no "files" in it
    _report, outcome = send(outbox, store, server, clock, IN_ANSWER)

    assert outcome.state == "sent" and outcome.receipt.unchecked == "sending.verify.no_list"


def test_the_files_are_read_back_when_the_answer_does_not_list_them(outbox, store, server, clock):
    server.drops = {"bildschirm.png"}
    _report, outcome = send(outbox, store, server, clock, Listing(files_path="files", readback_url=READ_BACK))

    assert [r.outcome for r in server.requests] == ["created", "read back"]
    assert outcome.state == "needs_attention"
    assert outcome.error.params["missing"] == 1 and outcome.error.params["names"] == "bildschirm.png"


def test_a_file_damaged_on_the_way_does_not_count_as_arrived(outbox, store, server, clock):
    def damaged(ticket):
        files = server.listing(ticket["id"])
        for entry in files:
            if entry["name"] == "konsole.log":
                entry["sha256"] = "0" * 64
        return {"id": ticket["id"], "files": files}

    server.answer_json = damaged
    _report, outcome = send(outbox, store, server, clock, IN_ANSWER)

    assert outcome.state == "needs_attention" and outcome.error.params["names"] == "konsole.log"


def test_the_connection_check_says_what_to_add_when_nothing_can_be_checked(server, clock):
    message = transport(server, clock).check()
    assert "Angenommen – Dateien nicht geprüft" in message and "Dateiliste in der Antwort" in message

    assert "Angenommen" not in transport(server, clock, IN_ANSWER).check()

    elsewhere = Listing(files_path="files", readback_url="https://elsewhere.example/{ticket}")
    with pytest.raises(PermanentTransportError) as caught:
        transport(server, clock, elsewhere).check()
    assert caught.value.key == "sending.verify.foreign_url"


def test_a_ticket_whose_check_failed_for_now_is_completed_not_created_again(outbox, store, server, clock):
    server.honours_idempotency_key = False  # like most helpdesks: a repeated create is a new ticket
    server.readback_failures.append(503)
    listing = Listing(files_path="files", readback_url=READ_BACK, upload_url=READ_BACK)
    report = stored_report(store)
    outbox.enqueue(report.id)
    outcomes = settle(outbox, OutboxSender(outbox, lambda: transport(server, clock, listing)), clock)

    assert [o.state for o in outcomes] == ["queued", "sent"]
    assert list(server.tickets) == ["T-1001"]  # the second attempt looked at the known ticket
    assert outbox.receipt(report.id).reference == "T-1001"
