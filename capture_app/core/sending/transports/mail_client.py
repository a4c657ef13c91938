"""Mail program: open a new message with recipient, subject, body and the bundle attached.

For organisations without SMTP credentials. The bundle is first copied to a folder that outlives
the send (the export folder), because the mail program reads the attachment later, when the
agent presses its own "Send". Then, per platform:

* Windows: Simple MAPI first (``MAPISendMailW`` with a dialog, see ``mapi.py``) — the default mail
  program, whichever it is (classic Outlook, Thunderbird, eM Client, HCL Notes); then classic
  Outlook's command line ``outlook.exe /c ipm.note /m "ADDRESS?subject=…&body=…" /a FILE``; the new
  Outlook (which takes neither) is recognised and named in the message.
* macOS: Mail, through an AppleScript that receives every value as an argument (never pasted into
  the script text, so a summary cannot inject script code); when Mail cannot, the default mail
  program through ``open mailto:…`` with the bundle shown in the Finder to attach.
* Linux: ``xdg-email --utf8 --subject … --body … --attach FILE ADDRESS``

Arguments are passed as a list, never through a shell. When no mail program can be started the
copied bundle stays where it is and the receipt says so (transport ``export``): the agent is
told to attach that file to an e-mail to the support address.

Either way the report is only *handed over*: nobody here knows whether the agent pressed "Send"
(``Transport.hands_over``); the outbox asks the agent.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from capture_app.core.report.model import Report, utc_now
from capture_app.core.sending.transports.base import (
    PermanentTransportError,
    Progress,
    Receipt,
    Transport,
    no_progress,
)
from capture_app.core.sending.transports.content import subject_for
from capture_app.core.sending.transports.export import ExportTransport

BODY_LIMIT = 1500  # command lines and mailto: URLs are short; the full report is attached

_MAC_SCRIPT = """on run argv
    set theRecipient to item 1 of argv
    set theSubject to item 2 of argv
    set theBody to item 3 of argv
    set theFile to POSIX file (item 4 of argv)
    tell application "Mail"
        set newMessage to make new outgoing message with properties {subject:theSubject, content:theBody & return & return, visible:true}
        tell newMessage
            make new to recipient at end of to recipients with properties {address:theRecipient}
            make new attachment with properties {file name:theFile as alias} at after the last paragraph
        end tell
        activate
    end tell
end run
"""  # noqa: E501 - AppleScript, one statement a line


def handoff_body(report: Report, file_name: str, language: str) -> str:
    from capture_app.core.platform.i18n import tr

    summary = " ".join(report.summary.split())
    return tr("sending.mail_client.body", language=language, summary=summary[:300],
              file=file_name, id=report.id)[:BODY_LIMIT]


@dataclass(frozen=True)
class WindowsMailFacts:
    """What the registry says about mail programs (read by :func:`windows_mail_facts`)."""

    mapi_client: str = ""  # HKCU/HKLM\\SOFTWARE\\Clients\\Mail (default): the Simple MAPI provider
    mailto_progid: str = ""  # ...\\UrlAssociations\\mailto\\UserChoice ProgId: the default mail app
    outlook_path: str = ""  # classic Outlook from App Paths
    new_outlook_installed: bool = False  # olk.exe (the new Outlook) is on this machine

    @property
    def new_outlook_default(self) -> bool:
        progid = self.mailto_progid.lower()
        return "outlookforwindows" in progid or progid.startswith("olk")

    @property
    def new_outlook(self) -> bool:
        """The new Outlook is the agent's mail program (it takes no attachment from outside)."""
        return self.new_outlook_default or (self.new_outlook_installed and not self.outlook_path
                                            and not self.mapi_client)


RegistryReader = Callable[[str, str, str], "str | None"]  # (root, key path, value name)


def _read_registry(root: str, path: str, name: str) -> str | None:
    if sys.platform != "win32":
        return None
    try:
        import winreg
    except ImportError:
        return None
    try:
        with winreg.OpenKey(getattr(winreg, root), path) as key:
            value, _ = winreg.QueryValueEx(key, name)
            return str(value) if value else None
    except OSError:
        return None


APP_PATHS_OUTLOOK = r"SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\OUTLOOK.EXE"
MAILTO_CHOICE = r"Software\Microsoft\Windows\Shell\Associations\UrlAssociations\mailto\UserChoice"
MAPI_CLIENTS = r"SOFTWARE\Clients\Mail"


def windows_mail_facts(read: RegistryReader = _read_registry,
                       exists: Callable[[str], bool] = os.path.isfile,
                       environ: dict[str, Any] | None = None) -> WindowsMailFacts:
    env = os.environ if environ is None else environ
    outlook = ""
    for root in ("HKEY_CURRENT_USER", "HKEY_LOCAL_MACHINE"):
        value = read(root, APP_PATHS_OUTLOOK, "")
        if value and exists(value.strip('"')):
            outlook = value.strip('"')
            break
    mapi = read("HKEY_CURRENT_USER", MAPI_CLIENTS, "") or read("HKEY_LOCAL_MACHINE", MAPI_CLIENTS, "") or ""
    progid = read("HKEY_CURRENT_USER", MAILTO_CHOICE, "ProgId") or ""
    local = env.get("LOCALAPPDATA", "")
    olk = bool(local) and exists(os.path.join(local, "Microsoft", "WindowsApps", "olk.exe"))
    return WindowsMailFacts(mapi, progid, outlook, olk)


def find_outlook() -> str | None:
    """Classic Outlook's executable from the registry's App Paths (Windows only)."""
    if sys.platform != "win32":
        return None
    return windows_mail_facts().outlook_path or shutil.which("outlook.exe")


def outlook_command(program: str, recipient: str, subject: str, body: str,
                    attachment: Path) -> list[str]:
    mailto = f"{recipient}?subject={quote(subject)}&body={quote(body)}"
    return [program, "/c", "ipm.note", "/m", mailto, "/a", str(attachment)]


def mailto_url(recipient: str, subject: str, body: str) -> str:
    return f"mailto:{quote(recipient, safe='@')}?subject={quote(subject)}&body={quote(body)}"


def handoff_command(platform: str, recipient: str, subject: str, body: str, attachment: Path,
                    which: Callable[[str], str | None] = shutil.which,
                    outlook: Callable[[], str | None] = find_outlook) -> list[str] | None:
    """The command that opens the agent's mail program, or None if there is none.

    (On Windows Simple MAPI comes first; this is the command line after it.)
    """
    if platform.startswith("linux") or "bsd" in platform:
        program = which("xdg-email")
        if not program:
            return None
        return [program, "--utf8", "--subject", subject, "--body", body,
                "--attach", str(attachment), recipient]
    if platform == "win32":
        program = outlook()
        if not program:
            return None
        return outlook_command(program, recipient, subject, body, attachment)
    if platform == "darwin":
        program = which("osascript")
        if not program:
            return None
        return [program, "-e", _MAC_SCRIPT, recipient, subject, body, str(attachment)]
    return None


def mac_default_program_commands(recipient: str, subject: str, body: str, attachment: Path,
                                 which: Callable[[str], str | None] = shutil.which
                                 ) -> list[list[str]] | None:
    """macOS without Mail: a new message in the default mail program, the bundle in the Finder."""
    program = which("open")
    if not program:
        return None
    return [[program, mailto_url(recipient, subject, body)], [program, "-R", str(attachment)]]


class MailClientTransport(Transport):
    name = "mail_client"
    interactive = True
    hands_over = True

    def __init__(self, recipient: str, folder: Path | str, *, organisation: str = "",
                 platform: str = sys.platform,
                 which: Callable[[str], str | None] = shutil.which,
                 outlook: Callable[[], str | None] | None = None,
                 launch: Callable[[list[str]], None] | None = None,
                 clock: Callable[[], datetime] = utc_now,
                 send_mail: Callable[[], Callable[..., int] | None] | None = None,
                 windows_facts: Callable[[], WindowsMailFacts] | None = None) -> None:
        self.recipient = recipient.strip()
        self.folder = Path(folder)
        self.organisation = organisation
        self.platform = platform
        self.which = which
        self.windows_facts = windows_facts or windows_mail_facts
        self.outlook = outlook or (lambda: self.windows_facts().outlook_path or None)
        self.launch = launch or _launch
        self.clock = clock
        if send_mail is None:
            from capture_app.core.sending.transports.mapi import load_send_mail

            send_mail = load_send_mail
        self.load_send_mail: Callable[[], Callable[..., int] | None] = send_mail  # MAPISendMailW or None

    def send(self, bundle_path: Path, report: Report, progress: Progress = no_progress) -> Receipt:
        if not self.recipient:
            raise PermanentTransportError("sending.mail_client.no_recipient")
        # The copy the mail program attaches; it stays after the app closes.
        copied = ExportTransport(self.folder, clock=self.clock).send(bundle_path, report, progress)
        attachment = Path(copied.destination) / copied.reference
        language = report.language or "de"
        subject = subject_for(report, self.organisation, language)
        body = handoff_body(report, attachment.name, language)
        files = ((copied.reference, copied.size, copied.sha256),)
        program, note = self._hand_off(subject, body, attachment)
        if program is None:
            # No mail program: the bundle is exported; the agent attaches it by hand.
            return Receipt("export", copied.destination, copied.sent_at, copied.reference,
                           copied.sha256, copied.size, files,
                           note=note or "sending.ui.exported_instead")
        return Receipt(self.name, self.recipient, copied.sent_at, copied.reference, copied.sha256,
                       copied.size, files, note=note, program=program)

    # -- the hand-over, per platform ------------------------------------------------------------

    def _hand_off(self, subject: str, body: str, attachment: Path) -> tuple[str | None, str]:
        """(the program that took the message or None, a note key for the agent)."""
        if self.platform == "win32":
            return self._hand_off_windows(subject, body, attachment)
        command = handoff_command(self.platform, self.recipient, subject, body, attachment,
                                  self.which, self.outlook)
        if command is not None and self._started(command):
            return ("Mail" if self.platform == "darwin" else Path(command[0]).name), ""
        if self.platform == "darwin":
            commands = mac_default_program_commands(self.recipient, subject, body, attachment,
                                                    self.which)
            if commands and all(self._started(c) for c in commands):
                return "open", "sending.mail_client.attach_from_finder"
        return None, ""

    def _hand_off_windows(self, subject: str, body: str, attachment: Path) -> tuple[str | None, str]:
        from capture_app.core.sending.transports import mapi

        facts = self.windows_facts()
        send_mail = self.load_send_mail()
        if send_mail is not None and not facts.new_outlook_default:
            result = mapi.send_mail_dialog(send_mail, self.recipient, subject, body,
                                           str(attachment), attachment.name)
            if result.handed_over:
                return facts.mapi_client or "MAPI", ""
            if result.cancelled:
                raise PermanentTransportError("sending.mail_client.cancelled", file=attachment.name)
        program = self.outlook()
        if program:
            command = outlook_command(program, self.recipient, subject, body, attachment)
            if self._started(command):
                return "Outlook", ""
        if facts.new_outlook:
            return None, "sending.mail_client.new_outlook"
        return None, ""

    def _started(self, command: list[str]) -> bool:
        try:
            self.launch(command)
        except (OSError, subprocess.SubprocessError):
            return False
        return True

    def check(self) -> str:
        from capture_app.core.platform.i18n import tr

        ExportTransport(self.folder).check()  # where the attachment is kept must take it
        if self.platform == "win32":
            facts = self.windows_facts()
            if facts.new_outlook_default:
                raise PermanentTransportError("sending.mail_client.new_outlook_check")
            if self.load_send_mail() is not None and facts.mapi_client:
                return tr("sending.check.mail_client_ok", program=facts.mapi_client)
            if self.outlook():
                return tr("sending.check.mail_client_ok", program="Outlook")
            raise PermanentTransportError("sending.mail_client.new_outlook_check" if facts.new_outlook
                                          else "sending.mail_client.unavailable_check")
        probe = self.folder / "bericht.zip"
        command = handoff_command(self.platform, self.recipient or "support@example.com", "", "",
                                  probe, self.which, self.outlook)
        if command is None:
            raise PermanentTransportError("sending.mail_client.unavailable_check")
        return tr("sending.check.mail_client_ok",
                  program="Mail" if self.platform == "darwin" else Path(command[0]).name)


def _launch(command: list[str]) -> None:
    """Start the mail program detached; a quick failure (exit code at once) counts as none."""
    kwargs: dict[str, Any] = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL,
                    "stderr": subprocess.DEVNULL, "close_fds": True}
    if os.name == "nt":
        kwargs["creationflags"] = getattr(subprocess, "DETACHED_PROCESS", 0)
    else:
        kwargs["start_new_session"] = True
    process = subprocess.Popen(command, **kwargs)
    try:
        code = process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        return  # still running: the mail program (or its launcher) is up
    if code != 0:
        raise OSError(f"mail program exited with {code}")
