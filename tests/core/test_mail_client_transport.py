"""The mail-program hand-over: honest states, a real xdg-email, Simple MAPI, Outlook, macOS."""
from __future__ import annotations

import ctypes
import hashlib
import random
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sendhelpers.mailer import registered_mail_handler
from sendhelpers.reports import paths_for, stored_report

from capture_app.core.hours.support_hours import SupportHours
from capture_app.core.report.drafts import DraftStore
from capture_app.core.sending.outbox import HANDED_OVER, Outbox, OutboxError
from capture_app.core.sending.service import OutboxSender
from capture_app.core.sending.transports import mapi
from capture_app.core.sending.transports.base import PermanentTransportError
from capture_app.core.sending.transports.export import ExportTransport
from capture_app.core.sending.transports.mail_client import (
    MailClientTransport,
    WindowsMailFacts,
    windows_mail_facts,
)

SUPPORT = "support@flexperto.com"

class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    # Friday 27 November 2026, 15:00 in Berlin
    return Clock(datetime(2026, 11, 27, 14, 0, tzinfo=timezone.utc))


@pytest.fixture
def store(tmp_path, clock):
    with DraftStore(paths_for(tmp_path), clock=clock) as draft_store:
        yield draft_store


@pytest.fixture
def outbox(store, clock):
    with Outbox(store, clock=clock, rng=random.Random(3)) as box:
        yield box


@pytest.fixture
def mail_handler(tmp_path, monkeypatch):
    return registered_mail_handler(tmp_path / "xdg", monkeypatch)


def linux_transport(folder: Path, clock) -> MailClientTransport:
    return MailClientTransport(SUPPORT, folder, organisation="Example Bank AG", platform="linux",
                               clock=clock)


# --- Linux, for real -------------------------------------------------------------------------


def test_xdg_email_opens_the_mail_program_with_the_bundle_attached(store, outbox, clock, tmp_path,
                                                                  mail_handler):
    report = stored_report(store)
    outbox.enqueue(report.id)
    folder = tmp_path / "exports"
    folder.mkdir()
    sender = OutboxSender(outbox, lambda: linux_transport(folder, clock), interactive=True)

    outcome = sender.send_next()

    [call] = mail_handler()
    url = urlsplit(call["argv"][0])
    query = parse_qs(url.query)
    assert url.scheme == "mailto" and unquote(url.path) == SUPPORT
    assert "Videoberatung bricht ab" in query["subject"][0]
    assert "Example Bank AG" in query["subject"][0]
    assert report.id in query["body"][0]
    [exported] = list(folder.iterdir())
    assert bytes.fromhex(call["attachment"]) == exported.read_bytes()
    with zipfile.ZipFile(exported) as archive:
        assert "report.json" in archive.namelist()
    # Opening a mail program is not sending: the agent still has to press "Send" there.
    assert outcome.state == HANDED_OVER
    [item] = outbox.items()
    assert item.state == HANDED_OVER and item.receipt is None
    assert item.handover.reference == exported.name
    assert outbox.receipt(report.id) is None
    assert outbox.state(report.id) != "sent"


def test_reopening_hands_the_same_report_over_again_and_marking_it_sent_keeps_a_receipt(
        store, outbox, clock, tmp_path, mail_handler):
    report = stored_report(store)
    outbox.enqueue(report.id)
    folder = tmp_path / "exports"
    folder.mkdir()
    sender = OutboxSender(outbox, lambda: linux_transport(folder, clock), interactive=True)
    assert sender.send_next().state == HANDED_OVER

    # "Erneut öffnen": the mail program was closed without sending.
    assert sender.send_next(report_id=report.id).state == HANDED_OVER
    first, second = mail_handler()
    assert first["attachment"] == second["attachment"]

    clock.now += timedelta(minutes=5)
    receipt = outbox.mark_sent(report.id)  # "Als gesendet markieren"
    assert outbox.state(report.id) == "sent"
    assert receipt.transport == "mail_client" and receipt.destination == SUPPORT
    assert receipt.sent_at.startswith("2026-11-27T14:05")
    [(name, size, digest)] = receipt.files
    exported = folder / name
    assert size == exported.stat().st_size
    assert digest == hashlib.sha256(exported.read_bytes()).hexdigest()
    with pytest.raises(OutboxError):
        outbox.mark_sent(report.id)


def test_a_report_that_was_never_handed_over_cannot_be_marked_sent(store, outbox):
    report = stored_report(store)
    outbox.enqueue(report.id)
    with pytest.raises(OutboxError) as caught:
        outbox.mark_sent(report.id)
    assert caught.value.key == "sending.outbox.not_handed_over"
    assert "E-Mail-Programm" in caught.value.message()


def test_the_background_sender_never_opens_the_mail_program(store, outbox, clock, tmp_path,
                                                            mail_handler):
    report = stored_report(store)
    outbox.enqueue(report.id)
    folder = tmp_path / "exports"
    folder.mkdir()
    background = OutboxSender(outbox, lambda: linux_transport(folder, clock), interactive=False)
    assert background.send_all_due() == []
    assert mail_handler() == []
    [item] = outbox.items()
    assert item.state == "queued" and item.attempts == 0


def test_without_a_mail_program_the_bundle_is_exported_and_handed_over_not_sent(
        store, outbox, clock, tmp_path):
    report = stored_report(store)
    outbox.enqueue(report.id)
    folder = tmp_path / "exports"
    folder.mkdir()
    transport = MailClientTransport(SUPPORT, folder, platform="linux", which=lambda name: None,
                                    clock=clock)
    outcome = OutboxSender(outbox, lambda: transport, interactive=True).send_next()
    assert outcome.state == HANDED_OVER
    assert outcome.receipt.transport == "export"
    assert (folder / outcome.receipt.reference).is_file()


def test_an_exported_report_is_handed_over_not_sent(store, outbox, clock, tmp_path):
    report = stored_report(store)
    outbox.enqueue(report.id)
    folder = tmp_path / "share"
    folder.mkdir()
    outcome = OutboxSender(outbox, lambda: ExportTransport(folder, clock=clock)).send_next()
    assert outcome.state == HANDED_OVER
    assert outbox.counts()[HANDED_OVER] == 1 and outbox.counts()["sent"] == 0


# --- reminder on the next working day -------------------------------------------------------------


def test_a_hand_over_still_open_is_reminded_on_the_next_working_day_once(store, outbox, clock,
                                                                        tmp_path):
    report = stored_report(store)
    outbox.enqueue(report.id)
    folder = tmp_path / "share"
    folder.mkdir()
    OutboxSender(outbox, lambda: ExportTransport(folder, clock=clock)).send_next()
    hours = SupportHours()  # Mon–Fri 09:00–18:00 Berlin, no holidays here

    clock.now = datetime(2026, 11, 27, 22, 0, tzinfo=timezone.utc)  # Friday night
    assert outbox.handover_reminders(hours) == []
    clock.now = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)  # Sunday: no working day
    assert outbox.handover_reminders(hours) == []
    clock.now = datetime(2026, 11, 30, 8, 5, tzinfo=timezone.utc)  # Monday 09:05 Berlin
    [due] = outbox.handover_reminders(hours)
    assert due.report_id == report.id
    outbox.reminded([report.id])
    assert outbox.handover_reminders(hours) == []


def test_a_hand_over_marked_sent_is_not_reminded(store, outbox, clock, tmp_path):
    report = stored_report(store)
    outbox.enqueue(report.id)
    folder = tmp_path / "share"
    folder.mkdir()
    OutboxSender(outbox, lambda: ExportTransport(folder, clock=clock)).send_next()
    outbox.mark_sent(report.id)
    clock.now += timedelta(days=4)
    assert outbox.handover_reminders(SupportHours()) == []


# --- Windows: Simple MAPI against the documented structures -------------------------------------

# mapi.h (Windows SDK), in declaration order; ULONG/FLAGS are 4 bytes, pointers 8 on 64-bit.
DOCUMENTED = {
    mapi.MapiRecipDescW: [("ulReserved", "ULONG"), ("ulRecipClass", "ULONG"), ("lpszName", "PWSTR"),
                          ("lpszAddress", "PWSTR"), ("ulEIDSize", "ULONG"), ("lpEntryID", "PVOID")],
    mapi.MapiFileDescW: [("ulReserved", "ULONG"), ("flFlags", "ULONG"), ("nPosition", "ULONG"),
                         ("lpszPathName", "PWSTR"), ("lpszFileName", "PWSTR"), ("lpFileType", "PVOID")],
    mapi.MapiMessageW: [("ulReserved", "ULONG"), ("lpszSubject", "PWSTR"), ("lpszNoteText", "PWSTR"),
                        ("lpszMessageType", "PWSTR"), ("lpszDateReceived", "PWSTR"),
                        ("lpszConversationID", "PWSTR"), ("flFlags", "FLAGS"),
                        ("lpOriginator", "PTR"), ("nRecipCount", "ULONG"), ("lpRecips", "PTR"),
                        ("nFileCount", "ULONG"), ("lpFiles", "PTR")],
}
DOCUMENTED_SIZE_64 = {mapi.MapiRecipDescW: 40, mapi.MapiFileDescW: 40, mapi.MapiMessageW: 96}


def _layout(fields, pointer_size):
    """Offsets by the Windows x64 rules: every member aligned to its own size."""
    offsets, position = [], 0
    for _name, kind in fields:
        size = 4 if kind in ("ULONG", "FLAGS") else pointer_size
        position = -(-position // size) * size
        offsets.append(position)
        position += size
    return offsets, -(-position // pointer_size) * pointer_size


@pytest.mark.parametrize("structure", list(DOCUMENTED), ids=lambda s: s.__name__)
def test_the_mapi_structures_have_the_documented_layout(structure):
    pointer = ctypes.sizeof(ctypes.c_void_p)
    documented = DOCUMENTED[structure]
    assert [name for name, _ in structure._fields_] == [name for name, _ in documented]
    offsets, size = _layout(documented, pointer)
    assert [getattr(structure, name).offset for name, _ in documented] == offsets
    assert ctypes.sizeof(structure) == size
    if pointer == 8:
        assert size == DOCUMENTED_SIZE_64[structure]
    for (name, kind), (_n, ctype) in zip(documented, structure._fields_, strict=True):
        if kind in ("ULONG", "FLAGS"):
            assert ctypes.sizeof(ctype) == 4, name  # never c_ulong: 8 bytes outside Windows


class FakeMapi:
    """MAPISendMailW as a C function pointer: the message goes through ctypes like the real call."""

    def __init__(self, code: int = mapi.SUCCESS_SUCCESS) -> None:
        self.code = code
        self.calls: list[dict] = []
        prototype = ctypes.CFUNCTYPE(mapi.SEND_MAIL_RESTYPE, *mapi.SEND_MAIL_ARGTYPES)
        self.function = prototype(self._called)

    def _called(self, session, window, message_pointer, flags, reserved):
        message = message_pointer.contents
        recipient = message.lpRecips[0]
        files = [message.lpFiles[i] for i in range(message.nFileCount)]
        self.calls.append({
            "session": session, "flags": flags, "subject": message.lpszSubject,
            "text": message.lpszNoteText, "recipients": message.nRecipCount,
            "recipient_class": recipient.ulRecipClass, "address": recipient.lpszAddress,
            "files": [(f.lpszPathName, f.lpszFileName, f.nPosition) for f in files],
            "attachment": Path(files[0].lpszPathName).read_bytes() if files else b"",
        })
        return self.code


def windows_transport(folder, clock, *, facts=WindowsMailFacts(mapi_client="Mozilla Thunderbird"),
                      fake=None, launched=None, outlook=None):
    launches = launched if launched is not None else []
    return MailClientTransport(
        SUPPORT, folder, organisation="Example Bank AG", platform="win32", clock=clock,
        send_mail=(lambda: fake.function) if fake else (lambda: None),
        windows_facts=lambda: facts, outlook=outlook or (lambda: facts.outlook_path or None),
        launch=launches.append)


def test_windows_hands_the_report_to_the_default_mail_program_through_simple_mapi(
        store, outbox, clock, tmp_path):
    report = stored_report(store)
    outbox.enqueue(report.id)
    folder = tmp_path / "exports"
    folder.mkdir()
    fake, launched = FakeMapi(), []
    transport = windows_transport(folder, clock, fake=fake, launched=launched)
    outcome = OutboxSender(outbox, lambda: transport, interactive=True).send_next()

    [call] = fake.calls
    assert call["flags"] & mapi.MAPI_DIALOG
    assert call["recipients"] == 1 and call["recipient_class"] == mapi.MAPI_TO
    assert call["address"] == "SMTP:" + SUPPORT
    assert "Videoberatung bricht ab" in call["subject"] and report.id in call["text"]
    [(path, name, position)] = call["files"]
    exported = folder / outcome.receipt.reference
    assert Path(path) == exported and name == exported.name and position == 0xFFFFFFFF
    assert call["attachment"] == exported.read_bytes()
    assert launched == []  # no Outlook command line needed
    assert outcome.state == HANDED_OVER and outcome.receipt.program == "Mozilla Thunderbird"


def test_cancelling_the_mapi_dialog_is_not_a_hand_over(store, outbox, clock, tmp_path):
    report = stored_report(store)
    outbox.enqueue(report.id)
    folder = tmp_path / "exports"
    folder.mkdir()
    transport = windows_transport(folder, clock, fake=FakeMapi(mapi.MAPI_USER_ABORT))
    outcome = OutboxSender(outbox, lambda: transport, interactive=True).send_next()
    assert outcome.state == "needs_attention"
    assert outcome.error.key == "sending.mail_client.cancelled"


def test_without_mapi_classic_outlook_gets_its_command_line(store, clock, tmp_path):
    report = stored_report(store)
    folder = tmp_path / "exports"
    folder.mkdir()
    outlook = r"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE"
    facts = WindowsMailFacts(outlook_path=outlook)
    launched = []
    transport = windows_transport(folder, clock, facts=facts, fake=FakeMapi(mapi.MAPI_E_NOT_SUPPORTED),
                                  launched=launched)
    from sendhelpers.reports import built_bundle

    receipt = transport.send(built_bundle(store, report, tmp_path / "b.zip"), report)
    [command] = launched
    assert command[:3] == [outlook, "/c", "ipm.note"]
    assert command[-2:] == ["/a", str(folder / receipt.reference)]
    assert command[4].startswith(SUPPORT + "?subject=")
    assert receipt.transport == "mail_client" and receipt.program == "Outlook"


def test_the_new_outlook_is_recognised_named_and_the_report_exported(store, clock, tmp_path):
    report = stored_report(store)
    folder = tmp_path / "exports"
    folder.mkdir()
    # Recorded from a Windows 11 machine whose default mail app is the new Outlook.
    registry = {
        ("HKEY_CURRENT_USER", r"Software\Microsoft\Windows\Shell\Associations\UrlAssociations\mailto\UserChoice",
         "ProgId"): "AppXbx2ce4vcxjdhff3d1ms66qqzk12zn827",
    }
    facts = windows_mail_facts(lambda root, path, name: registry.get((root, path, name)),
                               exists=lambda path: path.endswith("olk.exe"),
                               environ={"LOCALAPPDATA": r"C:\Users\petra\AppData\Local"})
    assert facts.new_outlook and not facts.outlook_path
    fake = FakeMapi(mapi.MAPI_E_FAILURE)
    transport = windows_transport(folder, clock, facts=facts, fake=fake)
    from sendhelpers.reports import built_bundle

    receipt = transport.send(built_bundle(store, report, tmp_path / "b.zip"), report)
    assert receipt.transport == "export" and receipt.note == "sending.mail_client.new_outlook"
    from capture_app.core.platform.i18n import tr

    text = tr(receipt.note)
    assert "neue Outlook" in text
    with pytest.raises(PermanentTransportError) as caught:
        transport.check()
    assert "neue Outlook" in caught.value.message()


def test_the_new_outlook_as_default_by_its_progid():
    facts = windows_mail_facts(
        lambda root, path, name: "Microsoft.OutlookForWindows_8wekyb3d8bbwe!Microsoft.OutlookforWindows"
        if name == "ProgId" else None, exists=lambda path: False, environ={})
    assert facts.new_outlook_default and facts.new_outlook


def test_classic_outlook_is_found_through_app_paths():
    outlook = r"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE"
    registry = {("HKEY_LOCAL_MACHINE", r"SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\OUTLOOK.EXE",
                 ""): f'"{outlook}"',
                ("HKEY_LOCAL_MACHINE", r"SOFTWARE\Clients\Mail", ""): "Microsoft Outlook"}
    facts = windows_mail_facts(lambda root, path, name: registry.get((root, path, name)),
                               exists=lambda path: path == outlook, environ={})
    assert facts.outlook_path == outlook and facts.mapi_client == "Microsoft Outlook"
    assert not facts.new_outlook


# --- macOS ----------------------------------------------------------------------------------------


def test_macos_uses_mail_through_applescript_with_values_as_arguments(store, clock, tmp_path):
    report = stored_report(store, summary='Abbruch" & do shell script "rm -rf ~" & "')
    folder = tmp_path / "exports"
    folder.mkdir()
    launched = []
    transport = MailClientTransport(SUPPORT, folder, platform="darwin", clock=clock,
                                    which=lambda name: f"/usr/bin/{name}", launch=launched.append)
    from sendhelpers.reports import built_bundle

    receipt = transport.send(built_bundle(store, report, tmp_path / "b.zip"), report)
    [command] = launched
    assert command[0] == "/usr/bin/osascript" and command[1] == "-e"
    assert "rm -rf" not in command[2]  # the script text never contains the report's values
    assert command[3] == SUPPORT and "rm -rf" in command[4]
    assert command[-1] == str(folder / receipt.reference)
    assert receipt.transport == "mail_client" and receipt.program == "Mail"


def test_macos_without_mail_opens_the_default_mail_program_and_shows_the_file(store, clock, tmp_path):
    report = stored_report(store)
    folder = tmp_path / "exports"
    folder.mkdir()
    launched = []

    def launch(command):
        launched.append(command)
        if command[0].endswith("osascript"):
            raise OSError("Mail is not set up")

    transport = MailClientTransport(SUPPORT, folder, platform="darwin", clock=clock,
                                    which=lambda name: f"/usr/bin/{name}", launch=launch)
    from sendhelpers.reports import built_bundle

    receipt = transport.send(built_bundle(store, report, tmp_path / "b.zip"), report)
    _script, mailto, reveal = launched
    assert mailto[0] == "/usr/bin/open" and mailto[1].startswith("mailto:" + SUPPORT + "?subject=")
    assert reveal == ["/usr/bin/open", "-R", str(folder / receipt.reference)]
    assert receipt.transport == "mail_client"
    assert receipt.note == "sending.mail_client.attach_from_finder"
