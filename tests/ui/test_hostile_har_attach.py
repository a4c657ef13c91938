"""A network log too large to attach is offered reduced, saying how many entries stay."""
from __future__ import annotations

import json

import pytest
from factories import second_level_report
from PySide6.QtWidgets import QMessageBox

from capture_app.core.wizard.steps import Step

pytestmark = pytest.mark.gui


def _har(entries: int, body_chars: int) -> dict:
    body = json.dumps({"rows": [f"Zeile {n} " * 8 for n in range(body_chars // 64)]})
    items = []
    for n in range(entries):
        items.append({
            "startedDateTime": "2026-11-27T09:15:02.120+01:00", "time": 12,
            "request": {"method": "GET", "url": f"https://beratung.example-bank.de/api/{n}",
                        "httpVersion": "HTTP/2", "cookies": [], "headers": [], "queryString": [],
                        "headersSize": -1, "bodySize": 0},
            "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/2", "cookies": [],
                         "headers": [], "content": {"size": len(body), "mimeType": "application/json",
                                                    "text": body},
                         "redirectURL": "", "headersSize": -1, "bodySize": len(body)},
            "cache": {}, "timings": {"send": 1, "wait": 10, "receive": 1}})
    return {"log": {"version": "1.2", "creator": {"name": "Chrome", "version": "131"}, "entries": items}}


@pytest.fixture
def oversized(controller, qtbot, tmp_path):
    """The evidence step of a draft with a 1 MB file limit, and a HAR of 60 entries far over it."""
    controller.config.set_user("limits.max_file_mb", 1)
    report = second_level_report()
    controller.store.save(report)
    window = controller.open_wizard(report, Step.EVIDENCE)
    qtbot.addWidget(window)
    source = tmp_path / "sitzung.har"
    source.write_text(json.dumps(_har(60, 40_000)), encoding="utf-8")
    return report, window.page(Step.EVIDENCE), source


def test_an_oversized_har_is_offered_without_response_bodies_and_then_attached(controller, qtbot,
                                                                               oversized):
    report, page, source = oversized
    tools = page.console_tools
    tools.attach_hars([source])
    qtbot.waitUntil(lambda: bool(tools.fit_offers), timeout=60000)
    offer = tools.fit_offers[0]
    text = offer.text()
    assert "Ohne Antwortinhalte" in text and "alle 60 Einträge" in text
    assert "Bildausschnitt" not in text and not report.evidence
    added = []
    tools.attached.connect(added.append)
    accept = next(b for b in offer.buttons() if offer.buttonRole(b) == QMessageBox.AcceptRole)
    accept.click()
    qtbot.waitUntil(lambda: bool(added), timeout=60000)
    item = added[0]
    stored = json.loads(controller.store.attachment_path(report.id, item.id).read_text("utf-8"))
    assert len(stored["log"]["entries"]) == 60 and item.size <= 1024 * 1024
    assert all("text" not in e["response"]["content"] for e in stored["log"]["entries"])


def test_declining_the_offer_attaches_nothing_and_says_why(qtbot, oversized):
    report, page, source = oversized
    results = []
    page.add_files([source], "network", on_done=lambda added, refused: results.append((added, refused)))
    tools = page.console_tools
    qtbot.waitUntil(lambda: bool(tools.fit_offers), timeout=60000)
    offer = tools.fit_offers[0]
    cancel = next(b for b in offer.buttons() if offer.buttonRole(b) == QMessageBox.RejectRole)
    cancel.click()
    qtbot.waitUntil(lambda: bool(results), timeout=10000)
    added, refused = results[0]
    assert added == [] and "Ohne Antwortinhalte" in refused[0] and report.evidence == []
