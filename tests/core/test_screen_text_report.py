"""What a report records about the screenshots' text check, and which screenshots still need a look."""
from __future__ import annotations

import json

from capture_app.core.privacy import screen_text
from capture_app.core.privacy.screen_text import Box, Recognition, Word
from capture_app.core.privacy.screenshot_pii import check, record, to_review, unchecked
from capture_app.core.report.model import EvidenceItem, Report


def screenshot(item_id: str, **fields) -> EvidenceItem:
    return EvidenceItem(id=item_id, kind="screenshot", filename=f"{item_id}.png",
                        media_type="image/png", size=10, sha256="0" * 64, **fields)


def test_the_report_records_the_check_and_the_counts_never_the_text():
    words = (Word("Tel.", Box(0, 0, 20, 10), 0), Word("0171", Box(25, 0, 30, 10), 0),
             Word("2345678", Box(60, 0, 50, 10), 0), Word("erika@example.de", Box(0, 20, 90, 10), 1))
    item = screenshot("a")
    record(item, check(Recognition(words)))
    assert (item.pii_check, item.pii_places, item.pii_open, item.pii_redacted) == ("checked", 2, 2, 0)
    report = Report(evidence=[item])
    saved = json.dumps(report.to_dict())
    assert "2345678" not in saved and "erika" not in saved
    assert Report.from_dict(json.loads(saved)).evidence[0].pii_open == 2


def test_a_check_cut_short_or_skipped_says_so():
    item = screenshot("a")
    record(item, check(Recognition(reason=screen_text.TIME_LIMIT)))
    assert item.pii_check == "incomplete"
    record(item, check(Recognition(reason=screen_text.NOT_INSTALLED)))
    assert item.pii_check == "skipped"
    record(item, check(Recognition(reason=screen_text.NO_CONTRAST)))
    assert item.pii_check == "checked"


def test_which_screenshots_are_unchecked_or_have_places_left_to_decide():
    fresh = screenshot("fresh")
    open_places = screenshot("open", pii_check="checked", pii_places=2, pii_open=1, pii_redacted=1)
    done = screenshot("done", pii_check="checked", pii_places=2, pii_open=0, pii_redacted=2)
    left_out = screenshot("left_out", pii_check="checked", pii_places=1, pii_open=1, excluded=True)
    log = EvidenceItem(id="log", kind="console", filename="console.txt", media_type="text/plain",
                       size=1, sha256="0" * 64)
    report = Report(evidence=[fresh, open_places, done, left_out, log])
    assert [i.id for i in unchecked(report)] == ["fresh"]
    assert [i.id for i in to_review(report)] == ["open"]


def test_the_readable_report_says_how_many_places_were_found_and_redacted():
    from capture_app.core.sending.render import render_text

    checked = screenshot("a", pii_check="checked", pii_places=3, pii_redacted=2, pii_open=0,
                         title="Kalender")
    skipped = screenshot("b", pii_check="skipped", title="Postfach")
    text = render_text(Report(evidence=[checked, skipped]), "de")
    assert "Text im Bild auf personenbezogene Daten geprüft: 3 Stellen gefunden, 2 geschwärzt" in text
    assert "nicht auf personenbezogene Daten geprüft (keine Texterkennung)" in text
    english = render_text(Report(evidence=[checked]), "en")
    assert "3 places found, 2 redacted" in english
