"""Sending straight from Review to a helpdesk, as an agent does it, and what the app then calls it.

The app runs on a real X server with a window manager and sends to a real HTTP intake on
127.0.0.1 (``sendhelpers.http_server.TicketServer``), set up as the generic multipart intake.
The machine has no keyring, so the app asks for the access token when "Senden" is pressed and
the agent types it. A report is "Gesendet" only when the intake's answer lists every file; an
intake that cannot list them leaves it "Angenommen – Dateien nicht geprüft".
"""
from __future__ import annotations

import pytest
from journeys.running import RunningApp
from sendhelpers.http_server import TicketServer

from capture_app.core.triage.catalogue import builtin_catalogue

pytestmark = pytest.mark.gui

TOKEN = "tok-journey-4711"


def sending_settings(url: str, *, lists_files: bool) -> str:
    settings = f"""
[sending]
transport = "http"

[http]
endpoint = "{url}"
auth = "bearer"
"""
    if lists_files:  # where the intake's answer names the files it kept
        settings += 'files_path = "files"\nfile_sha256_field = "sha256"\n'
    return settings


@pytest.fixture
def intake():
    with TicketServer() as server:
        yield server


@pytest.mark.parametrize("lists_files", [False, True],
                         ids=["intake-lists-no-files", "intake-lists-every-file"])
def test_send_from_review_is_called_what_the_helpdesk_confirmed(intake, tmp_path, lists_files):
    if lists_files:
        intake.answer_json = lambda ticket: {"id": ticket["id"], "files": intake.listing(ticket["id"])}
    case = builtin_catalogue().by_category("second_level")[0]
    app = RunningApp("de", 1280, 720, tmp_path, None,
                     sending=sending_settings(intake.url, lists_files=lists_files),
                     PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")  # no keyring here
    try:
        answer = app.run({"case": case.id, "path": "send", "tag": f"send{int(lists_files)}",
                          "token": TOKEN})
    finally:
        app.stop()
    assert answer["ok"], answer["error"]
    result = answer["result"]

    [ticket_id] = intake.tickets  # one ticket, with the token the agent typed
    assert all(r.headers.get("Authorization") == f"Bearer {TOKEN}" for r in intake.posts())
    parts = intake.parts(ticket_id)
    # Both screenshots (the screen as it was, and the one taken on Nachweise) arrived.
    assert sum(part.content_type == "image/png" for part in parts) >= 2, [p.filename for p in parts]
    texts = b"".join(part.data for part in parts).decode("utf-8", "replace")
    assert result["typed"]["summary"] in texts

    if lists_files:
        assert "gesendet" in result["send_message"] and ticket_id in result["send_message"]
        assert result["outbox_state"] == "Gesendet"
    else:
        assert "Angenommen – Dateien nicht geprüft" in result["send_message"]
        assert "nicht „Gesendet“" in result["send_message"]
        assert result["outbox_state"] == "Angenommen – Dateien nicht geprüft"
        assert "Dateiliste in der Antwort" in result["outbox_details"]  # what IT can set up
    assert result["report_id"] not in result["drafts_left"]
