"""Broken Unicode in what the agent typed or pasted: a lone surrogate (half an emoji, from a
broken clipboard or a ``\\ud83d`` escape) never stops a bundle or a console paste."""
from __future__ import annotations

import json
import zipfile

import pytest

from capture_app import __version__
from capture_app.core.evidence import console_log
from capture_app.core.privacy import pii
from capture_app.core.sending.bundle import build_bundle
from tests.core.test_bundle import BUILT_AT, filled


def test_a_bundle_is_built_from_a_report_with_lone_surrogates(tmp_path):
    report, sources = filled.filled_report()
    report.summary = "Upload \ud83d schlägt fehl"
    report.description.what = "Meldung: \udc00 unbekannt"
    report.evidence[0].title = "Bild \ud800"
    info = build_bundle(report, lambda item: sources[item.id], tmp_path / "b.zip",
                        app_version=__version__, language="de", now=BUILT_AT)
    with zipfile.ZipFile(info.path) as archive:
        data = json.loads(archive.read("report.json").decode("utf-8"))
        text = archive.read("report.txt").decode("utf-8")
        html = archive.read("report.html").decode("utf-8")
    assert data["summary"] == "Upload \ufffd schlägt fehl"
    assert "Meldung: \ufffd unbekannt" in text and "Upload \ufffd schlägt fehl" in html


def test_a_console_paste_with_lone_surrogates_is_parsed_and_rendered():
    text = "app.js:12 Uncaught TypeError: x \ud83d is undefined\napp.js:13 ok \udfff\n"
    console_log.check_text(text)
    parsed = console_log.parse(text)
    rendered = console_log.render_report(parsed, "de")
    rendered.text.encode("utf-8")
    assert "x \ufffd is undefined" in rendered.text
    assert parsed.count("error") == 1


@pytest.mark.timeout(30)
def test_a_text_with_sixty_thousand_phone_numbers_is_masked_in_linear_time():
    text = "Rückruf unter +49 30 1234567 erbeten. " * 60_000
    masked = pii.mask(text)
    assert masked.count("[TELEFON]") == 60_000 and "1234567" not in masked
