"""A mail program for the tests: registered for mailto: with xdg-mime in a private XDG home.

It records what it was given (its command line, and the bytes of the attached file, read when
it starts — as a real mail program reads the attachment) in a JSON-lines file.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HANDLER = r'''#!{python}
import json, os, sys
from urllib.parse import urlsplit, parse_qs
url = sys.argv[1]
query = parse_qs(urlsplit(url).query)
attached = query.get("attach", [""])[0]
if attached.startswith("file://"):
    attached = attached[len("file://"):]
with open(attached, "rb") as handle:
    data = handle.read()
with open(os.environ["MAIL_RECORD"], "a", encoding="utf-8") as out:
    out.write(json.dumps({{"argv": sys.argv[1:], "attachment": data.hex()}}) + "\n")
'''



def registered_mail_handler(home: Path, monkeypatch):
    """Register the recording mail program; return a function giving its calls so far."""
    if not shutil.which("xdg-email") or not shutil.which("xdg-mime"):
        pytest.fail("xdg-utils (xdg-email, xdg-mime) must be installed for this test")
    config, data = home / "config", home / "data"
    (data / "applications").mkdir(parents=True)
    config.mkdir(parents=True)
    script = home / "recording-mailer"
    script.write_text(HANDLER.format(python=sys.executable), encoding="utf-8")
    script.chmod(0o755)
    (data / "applications" / "recording-mailer.desktop").write_text(
        "[Desktop Entry]\nType=Application\nName=Recording Mailer\n"
        f"Exec={script} %u\nMimeType=x-scheme-handler/mailto;\n", encoding="utf-8")
    record = home / "record.jsonl"
    for name in ("XDG_CURRENT_DESKTOP", "DESKTOP_SESSION", "KDE_FULL_SESSION", "GNOME_DESKTOP_SESSION_ID",
                 "BROWSER", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    monkeypatch.setenv("XDG_DATA_DIRS", str(data))
    monkeypatch.setenv("DISPLAY", os.environ.get("DISPLAY") or ":0")  # an agent's desktop session
    monkeypatch.setenv("MAIL_RECORD", str(record))
    subprocess.run(["xdg-mime", "default", "recording-mailer.desktop", "x-scheme-handler/mailto"],
                   check=True, timeout=30)

    def calls() -> list[dict]:
        if not record.exists():
            return []
        return [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]

    return calls
