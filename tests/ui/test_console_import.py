"""Console messages and HAR files in the evidence step: attached cleaned, with a summary; bad input
gets its own message and leaves the draft as it was."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from factories import second_level_report
from PySide6.QtCore import Qt

from capture_app.core.wizard.steps import Step

pytestmark = pytest.mark.gui

FIXTURES = Path(__file__).parents[1] / "fixtures"
CHROME_LOG = FIXTURES / "console" / "chrome-save-as.log"
SIGNATURE = "c2lnbmF0dXJlLXNlY3JldC0xMjM0"  # the JWT signature the fixture page logs


@pytest.fixture
def evidence(controller, qtbot):
    report = second_level_report()
    controller.store.save(report)  # the draft as it is before anything is attached
    window = controller.open_wizard(report, Step.EVIDENCE)
    qtbot.addWidget(window)
    page = window.page(Step.EVIDENCE)
    return window, page, report


def stored(controller, report_id: str) -> dict:
    return controller.store.load(report_id).to_dict()


def attachment_text(controller, report, item) -> str:
    return controller.store.attachment_path(report.id, item.id).read_text(encoding="utf-8")


def wait_done(qtbot, results: list, timeout=20000) -> tuple[list, list]:
    qtbot.waitUntil(lambda: bool(results), timeout=timeout)
    return results[0]


def test_pasted_chrome_console_is_parsed_errors_first_and_attached_clean(evidence, controller, qtbot):
    window, page, report = evidence
    assert page.console_tools.paste_button.text() == "&Konsolenmeldungen einfügen…"
    dialog = page.console_tools.paste_console()
    qtbot.addWidget(dialog)
    dialog.paste.setPlainText(CHROME_LOG.read_text(encoding="utf-8"))
    qtbot.waitUntil(lambda: dialog.ok_button.isEnabled(), timeout=10000)

    assert dialog.table.item(0, 0).text() == "FEHLER"
    assert dialog.table.item(0, 4).text().startswith("Failed to load resource")
    levels = [dialog.table.item(row, 0).text() for row in range(dialog.table.rowCount())]
    assert levels.index("LOG") > max(i for i, level in enumerate(levels) if level == "FEHLER")
    ice = [row for row in range(dialog.table.rowCount()) if "ICE-Verbindung" in dialog.table.item(row, 4).text()]
    assert [dialog.table.item(row, 1).text() for row in ice] == ["5"]  # grouped
    assert "17 Fehler" in dialog.status.text() and "Chrome/Edge" in dialog.status.text()

    added = []
    page.console_tools.attached.connect(added.append)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: bool(added), timeout=20000)
    item = added[0]
    assert item.kind == "console" and item in report.evidence
    assert item.summary.startswith("Konsole: 17 Fehler")
    text = attachment_text(controller, report, item)
    assert text.startswith("Konsolenmeldungen – aufbereitet von Report Capture")
    assert "[FEHLER] 5× app.js:8  ICE-Verbindung fehlgeschlagen" in text
    assert SIGNATURE not in text and "access_token=REDACTED" in text
    window.flush()
    saved = stored(controller, report.id)
    assert [e["summary"] for e in saved["evidence"]] == [item.summary]


def test_binary_garbage_pasted_is_refused_and_nothing_is_attached(evidence, controller, qtbot):
    window, page, report = evidence
    before = stored(controller, report.id)
    dialog = page.console_tools.paste_console()
    qtbot.addWidget(dialog)
    dialog.paste.setPlainText(bytes(range(1, 256)).decode("latin-1") * 50)
    qtbot.waitUntil(lambda: "Binärdaten" in dialog.status.text(), timeout=10000)
    assert not dialog.ok_button.isEnabled()
    assert dialog.table.rowCount() == 0
    dialog.reject()
    window.flush()
    assert report.evidence == []
    assert stored(controller, report.id) == before


def test_a_console_log_file_added_as_evidence_is_cleaned_too(evidence, controller, qtbot, tmp_path):
    _window, page, report = evidence
    results = []
    page.add_files([FIXTURES / "console" / "firefox-export.txt"], "console",
                   on_done=lambda added, refused: results.append((added, refused)))
    added, refused = wait_done(qtbot, results)
    assert refused == [] and len(added) == 1
    text = attachment_text(controller, report, added[0])
    assert SIGNATURE not in text
    assert "Firefox („Sichtbare Meldungen exportieren“)" in text
    assert "app.js:19:31  Uncaught TypeError" in text


def test_a_200_mb_log_is_refused_with_its_size_and_the_draft_is_untouched(evidence, controller, qtbot, tmp_path):
    window, page, report = evidence
    before = stored(controller, report.id)
    big = tmp_path / "chrome_debug.log"
    with big.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)
    results = []
    page.add_files([big], "console", on_done=lambda added, refused: results.append((added, refused)))
    added, refused = wait_done(qtbot, results)
    assert added == []
    assert "‚chrome_debug.log‘ ist 200 MB groß" in refused[0] and "50 MB" in refused[0]
    window.flush()
    assert report.evidence == [] and stored(controller, report.id) == before


def har_document(**response_extra) -> dict:
    entry = {
        "startedDateTime": "2026-11-27T09:15:02.120+01:00", "time": 312,
        "request": {"method": "POST", "url": "https://beratung.example-bank.de/api/calendar/sync?token=geheim42x",
                    "httpVersion": "HTTP/2", "headersSize": -1, "bodySize": 0, "queryString": [],
                    "cookies": [{"name": "SESSION", "value": "sitzung-geheim-77"}],
                    "headers": [{"name": "Authorization", "value": "Bearer abc.def.ghi-geheim"}]},
        "response": {"status": 502, "statusText": "Bad Gateway", "httpVersion": "HTTP/2",
                     "headers": [], "cookies": [], "redirectURL": "", "headersSize": -1, "bodySize": 0,
                     "content": {"size": 0, "mimeType": "text/html", "text": "<p>Fehlerseite</p>"},
                     **response_extra},
        "cache": {}, "timings": {"send": 1, "wait": 300, "receive": 11},
    }
    return {"log": {"version": "1.2", "creator": {"name": "Firefox", "version": "128.0"}, "entries": [entry]}}


def test_a_har_is_attached_sanitised_with_its_failing_requests(evidence, controller, qtbot, tmp_path):
    window, page, report = evidence
    source = tmp_path / "beratung.har"
    source.write_text(json.dumps(har_document()), encoding="utf-8")
    results = []
    page.add_files([source], "network", on_done=lambda added, refused: results.append((added, refused)))
    added, refused = wait_done(qtbot, results)
    assert refused == []
    item = added[0]
    assert (item.kind, item.filename, item.media_type) == ("network", "beratung.har", "application/json")
    text = attachment_text(controller, report, item)
    for secret in ("geheim42x", "sitzung-geheim-77", "abc.def.ghi-geheim", "Fehlerseite"):
        assert secret not in text
    assert len(json.loads(text)["log"]["entries"]) == 1
    assert "502 Bad Gateway · POST https://beratung.example-bank.de/api/calendar/sync?token=REDACTED" in item.summary
    window.flush()
    assert stored(controller, report.id)["evidence"][0]["summary"] == item.summary


@pytest.mark.parametrize("content, expected", [
    (lambda: json.dumps(har_document(), indent=2)[:700], "ist unvollständig"),
    (lambda: "Das ist kein JSON, sondern ein Text.", "kein gültiges JSON"),
])
def test_a_broken_har_is_refused_by_name_and_the_draft_is_untouched(evidence, controller, qtbot, tmp_path,
                                                                    content, expected):
    window, page, report = evidence
    before = stored(controller, report.id)
    source = tmp_path / "kaputt.har"
    source.write_text(content(), encoding="utf-8")
    results = []
    page.add_files([source], "network", on_done=lambda added, refused: results.append((added, refused)))
    added, refused = wait_done(qtbot, results)
    assert added == [] and "‚kaputt.har‘" in refused[0] and expected in refused[0]
    window.flush()
    assert report.evidence == [] and stored(controller, report.id) == before


def test_the_guide_button_opens_the_affected_browser_in_the_text_view_without_a_webview(
        evidence, controller, qtbot, monkeypatch):
    from capture_app.ui.guide import launcher as launcher_module

    fallback = launcher_module.GuideLauncher(available=lambda: False)
    monkeypatch.setattr(launcher_module, "_shared", fallback)
    _window, page, report = evidence
    report.description.affected = "customer"  # the factory's customer uses Safari on an iPad
    assert page.console_tools.open_guide() == "text"
    qtbot.addWidget(fallback.text_window)
    assert fallback.text_window.isVisible()
    assert fallback.text_window.section() == "safari-macos"
    report.description.affected = "advisor"  # Chrome on Windows
    qtbot.mouseClick(page.console_tools.guide_button, Qt.LeftButton)
    assert fallback.text_window.section() == "chrome-windows"
    # The controller's entry point (for the tray) goes the same way.
    assert controller.show_console_guide("Mozilla Firefox 128", "macOS 14.5") == "text"
    assert fallback.text_window.section() == "firefox-macos"


def test_pasting_more_than_the_limit_is_refused_before_it_lands_in_the_field(evidence, qtbot, monkeypatch):
    from PySide6.QtCore import QMimeData

    from capture_app.core.evidence import console_log

    monkeypatch.setattr(console_log, "MAX_INPUT_BYTES", 1024 * 1024)  # 1 MB instead of 50: same path
    _window, page, _report = evidence
    dialog = page.console_tools.paste_console()
    qtbot.addWidget(dialog)
    mime = QMimeData()
    mime.setText("app.js:1 Meldung\n" * 150_000)  # 2.4 MB
    dialog.paste.insertFromMimeData(mime)
    assert dialog.paste.toPlainText() == ""
    assert "Der eingefügte Text ist 2,5 MB groß" in dialog.status.text()  # 2.55 million characters
    assert "bis 1 MB gelesen" in dialog.status.text()
    assert not dialog.ok_button.isEnabled()


@pytest.mark.parametrize("answer, stays", [("No", True), ("Yes", False)])
def test_esc_after_pasting_asks_before_the_pasted_text_is_thrown_away(evidence, qtbot, monkeypatch,
                                                                       answer, stays):
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QMessageBox

    asked: list[str] = []

    def question(parent, title, text, *args, **kwargs):
        asked.append(text)
        return getattr(QMessageBox.StandardButton, answer)

    monkeypatch.setattr(QMessageBox, "question", question)
    _window, page, _report = evidence
    dialog = page.console_tools.paste_console()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.paste.setFocus()
    QTest.keyClicks(dialog.paste, "app.js:1 Uncaught TypeError")
    QTest.keyClick(dialog.paste, Qt.Key.Key_Escape)

    assert asked and "eingefügten Meldungen" in asked[0]
    assert dialog.isVisible() is stays
    if stays:
        assert dialog.paste.toPlainText() == "app.js:1 Uncaught TypeError"


def test_esc_on_an_empty_paste_field_closes_without_asking(evidence, qtbot, monkeypatch):
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: pytest.fail("asked for nothing"))
    _window, page, _report = evidence
    dialog = page.console_tools.paste_console()
    qtbot.addWidget(dialog)
    dialog.show()
    QTest.keyClick(dialog.paste, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
