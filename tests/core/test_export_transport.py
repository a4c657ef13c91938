"""Export's "Verbindung testen": it looks at the folder instead of saying yes."""
from __future__ import annotations

import pytest

from capture_app.core.sending.transports.base import PermanentTransportError
from capture_app.core.sending.transports.export import ExportTransport
from capture_app.core.sending.transports.mail_client import MailClientTransport


def test_the_check_writes_and_removes_a_probe_in_the_folder(tmp_path, monkeypatch):
    folder = tmp_path / "Meldungen"
    folder.mkdir()
    written = []
    import os

    real_open = os.open

    def watching_open(path, flags, *args, **kwargs):
        if str(path).startswith(str(folder)):
            written.append(str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", watching_open)
    message = ExportTransport(folder).check()
    assert str(folder) in message
    assert written, "the check must really write into the folder"
    assert list(folder.iterdir()) == []  # the probe is gone again


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_the_check_names_a_folder_that_cannot_take_the_report(tmp_path, kind):
    target = tmp_path / "Meldungen"
    if kind == "file":
        target.write_text("kein Ordner")
    with pytest.raises(PermanentTransportError) as caught:
        ExportTransport(target).check()
    assert caught.value.key == {"missing": "bundle.export.folder_missing",
                                "file": "bundle.export.not_a_folder"}[kind]
    assert str(target) in caught.value.message()


def test_the_check_fails_when_the_folder_refuses_writing(tmp_path, monkeypatch):
    folder = tmp_path / "Meldungen"
    folder.mkdir()
    import tempfile

    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)  # a read-only share: writing fails
    with pytest.raises(PermanentTransportError) as caught:
        ExportTransport(folder).check()
    assert caught.value.key == "bundle.export.not_writable"


def test_the_mail_program_check_also_looks_at_the_folder_for_the_attachment(tmp_path):
    transport = MailClientTransport("support@flexperto.com", tmp_path / "fehlt", platform="linux",
                                    which=lambda name: f"/usr/bin/{name}")
    with pytest.raises(PermanentTransportError) as caught:
        transport.check()
    assert caught.value.key == "bundle.export.folder_missing"
