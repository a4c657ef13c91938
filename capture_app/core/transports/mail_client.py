"""Mail program: open a new message with recipient, subject, body and the bundle attached.

For organisations without SMTP credentials. The bundle is first copied to a folder that outlives
the send (the export folder), because the mail program reads the attachment later, when the
agent presses its own "Send". Then, per platform:

* Linux: ``xdg-email --utf8 --subject … --body … --attach FILE ADDRESS``
* Windows: Outlook's command line ``outlook.exe /c ipm.note /m "ADDRESS?subject=…&body=…" /a FILE``
* macOS: Mail, through an AppleScript that receives every value as an argument (never pasted into
  the script text, so a summary cannot inject script code)

Arguments are passed as a list, never through a shell. When no mail program can be started the
copied bundle stays where it is and the receipt says so (transport ``export``): the agent is
told to attach that file to an e-mail to the support address.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Callable
from urllib.parse import quote

from capture_app.core.report import Report, utc_now
from capture_app.core.transports.base import (
    PermanentTransportError, Progress, Receipt, Transport, no_progress,
)
from capture_app.core.transports.content import subject_for
from capture_app.core.transports.export import ExportTransport

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
"""


def handoff_body(report: Report, file_name: str, language: str) -> str:
    from capture_app.core.i18n import tr

    summary = " ".join(report.summary.split())
    return tr("sending.mail_client.body", language=language, summary=summary[:300],
              file=file_name, id=report.id)[:BODY_LIMIT]


def find_outlook() -> str | None:
    """Outlook's executable from the registry's App Paths (Windows only)."""
    if sys.platform != "win32":
        return None
    try:
        import winreg

        for root in (winreg.HKEY_CURRENT_USER, winreg.HKEY_LOCAL_MACHINE):
            try:
                with winreg.OpenKey(root, r"SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\OUTLOOK.EXE") as key:
                    value, _ = winreg.QueryValueEx(key, "")
                    if value and Path(value).is_file():
                        return value
            except OSError:
                continue
    except ImportError:
        return None
    return shutil.which("outlook.exe")


def handoff_command(platform: str, recipient: str, subject: str, body: str, attachment: Path,
                    which: Callable[[str], str | None] = shutil.which,
                    outlook: Callable[[], str | None] = find_outlook) -> list[str] | None:
    """The command that opens the agent's mail program, or None if there is none."""
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
        mailto = f"{recipient}?subject={quote(subject)}&body={quote(body)}"
        return [program, "/c", "ipm.note", "/m", mailto, "/a", str(attachment)]
    if platform == "darwin":
        program = which("osascript")
        if not program:
            return None
        return [program, "-e", _MAC_SCRIPT, recipient, subject, body, str(attachment)]
    return None


class MailClientTransport(Transport):
    name = "mail_client"
    interactive = True

    def __init__(self, recipient: str, folder: Path | str, *, organisation: str = "",
                 platform: str = sys.platform,
                 which: Callable[[str], str | None] = shutil.which,
                 outlook: Callable[[], str | None] = find_outlook,
                 launch: Callable[[list[str]], None] | None = None,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.recipient = recipient.strip()
        self.folder = Path(folder)
        self.organisation = organisation
        self.platform = platform
        self.which = which
        self.outlook = outlook
        self.launch = launch or _launch
        self.clock = clock

    def send(self, bundle_path: Path, report: Report, progress: Progress = no_progress) -> Receipt:
        if not self.recipient:
            raise PermanentTransportError("sending.mail_client.no_recipient")
        # The copy the mail program attaches; it stays after the app closes.
        copied = ExportTransport(self.folder, clock=self.clock).send(bundle_path, report, progress)
        attachment = Path(copied.destination) / copied.reference
        language = report.language or "de"
        subject = subject_for(report, self.organisation, language)
        body = handoff_body(report, attachment.name, language)
        command = handoff_command(self.platform, self.recipient, subject, body, attachment,
                                  self.which, self.outlook)
        if command is not None:
            try:
                self.launch(command)
            except (OSError, subprocess.SubprocessError):
                command = None
        if command is None:
            # No mail program: the bundle is exported; the agent attaches it by hand.
            return Receipt("export", copied.destination, copied.sent_at, copied.reference,
                           copied.sha256, copied.size)
        return Receipt(self.name, self.recipient, copied.sent_at, copied.reference, copied.sha256,
                       copied.size)

    def check(self) -> str:
        from capture_app.core.i18n import tr

        probe = self.folder / "bericht.zip"
        command = handoff_command(self.platform, self.recipient or "support@example.com", "", "",
                                  probe, self.which, self.outlook)
        if command is None:
            raise PermanentTransportError("sending.mail_client.unavailable_check")
        return tr("sending.check.mail_client_ok", program=Path(command[0]).name)


def _launch(command: list[str]) -> None:
    """Start the mail program detached; a quick failure (exit code at once) counts as none."""
    kwargs: dict = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL,
                    "stderr": subprocess.DEVNULL, "close_fds": True}
    if os.name == "nt":
        kwargs["creationflags"] = getattr(subprocess, "DETACHED_PROCESS", 0)
    else:
        kwargs["start_new_session"] = True
    process = subprocess.Popen(command, **kwargs)  # noqa: S603 - a list, no shell
    try:
        code = process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        return  # still running: the mail program (or its launcher) is up
    if code != 0:
        raise OSError(f"mail program exited with {code}")
