"""Personal data on a screenshot: the text check's findings, as boxes on the picture.

The words read from the picture (``core.screen_text``) are joined line by line into text, and
``core.pii.find_pii`` — the same rules as for the report's text: e-mail addresses, German phone
numbers, IBANs with a valid check sum — looks for personal data in it. A finding is then the union
of the boxes of the words it covers; so an IBAN written in groups ("DE89 3704 0044 …") or a phone
number with spaces is one box over all its words. A finding that covers only part of a word
("E-Mail:erika@…" read as one word) gets the covered share of the word's box, one character
wider on each side.

Only the kind and the box of a finding are kept, never the text that was read.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from capture_app.core.privacy import pii
from capture_app.core.privacy.screen_text import Box, Recognition, Word
from capture_app.core.report.model import EvidenceItem, Report

# Words closer than this share of the letters' height are one word (a space is wider).
NO_SPACE = 0.35
# Words further apart than this many letter heights are in different columns.
COLUMN_GAP = 2.0


@dataclass(frozen=True)
class Place:
    """One finding on the picture: what it is (``pii.EMAIL`` …) and where, in pixels."""

    kind: str
    box: Box


@dataclass(frozen=True)
class ScreenshotCheck:
    """The outcome of checking one screenshot: the places found, and whether the whole picture
    was read (``reason`` as in ``screen_text.Recognition``: "" when it was)."""

    places: tuple[Place, ...]
    reason: str = ""

    @property
    def ran(self) -> bool:
        from capture_app.core.privacy.screen_text import NO_CONTRAST

        return self.reason in ("", NO_CONTRAST)


def _lines(words: Iterable[Word]) -> list[list[Word]]:
    """The words line by line, a line cut where a gap is wider than a few spaces: the recogniser
    may read cells of a table or cards of a calendar side by side as one line, and two phone
    numbers joined by a space read as one number too long to be one."""
    lines: dict[int, list[Word]] = {}
    for word in words:
        if word.text:
            lines.setdefault(word.line, []).append(word)
    pieces: list[list[Word]] = []
    for key in sorted(lines):
        piece: list[Word] = []
        for word in lines[key]:
            if piece and word.box.x - piece[-1].box.right > COLUMN_GAP * min(
                    piece[-1].box.height, word.box.height):
                pieces.append(piece)
                piece = []
            piece.append(word)
        pieces.append(piece)
    return pieces


# Letters the recogniser reads for digits in a run of digits ("CHO7", "ATLO", "O171").
_AS_DIGIT = str.maketrans({"O": "0", "o": "0", "D": "0", "I": "1", "l": "1", "L": "1", "|": "1",
                           "S": "5", "B": "8"})


def _read_as(text: str) -> str:
    """``text`` with letters read for digits put back, where the word is a run of digits or the
    start of an IBAN (country code, two check digits); the same length, so boxes stay right."""
    if len(text) == 4 and text[:2] in pii.IBAN_LENGTHS:
        tail = text[2:].translate(_AS_DIGIT)
        return text[:2] + tail if tail.isdigit() else text
    digits = sum(ch.isdigit() for ch in text)
    if digits >= 3:
        fixed = text.translate(_AS_DIGIT)
        if fixed.isdigit():
            return fixed
    return text


def _part(word: Word, start: int, end: int) -> Box:
    """The share of ``word``'s box that its characters ``start:end`` take (a character more on
    each side: letters are not equally wide)."""
    count = len(word.text)
    if start <= 0 and end >= count:
        return word.box
    per_char = word.box.width / count
    left = word.box.x + max(0.0, (start - 1) * per_char)
    right = word.box.x + min(float(word.box.width), (end + 1) * per_char)
    return Box(int(left), word.box.y, max(1, round(right - int(left))), word.box.height)


def _separator(before: Word | None, word: Word) -> str:
    """A space between two words - but not inside an e-mail address the recogniser cut in two
    ("erika." "muster@example.de", "erika.muster@" "example.de"): there the words are joined
    when the gap between their boxes is too narrow for a space, or one of them ends or starts
    with the "@". Elsewhere a narrow gap is a space too ("Tel." "+49 …")."""
    if before is None:
        return ""
    if "@" not in before.text and "@" not in word.text:
        return " "
    if before.text.endswith("@") or word.text.startswith("@"):
        return ""
    gap = word.box.x - before.box.right
    return "" if gap < NO_SPACE * min(before.box.height, word.box.height) else " "


def places_in_line(line: Sequence[Word], own: Sequence[pii.PiiMatch] = ()) -> list[Place]:
    """The findings in one line of words (in reading order)."""
    spans: list[tuple[int, int, Word]] = []
    text = ""
    before: Word | None = None
    for word in line:
        text += _separator(before, word)
        spans.append((len(text), len(text) + len(word.text), word))
        text += _read_as(word.text)
        before = word
    found = []
    for match in pii.find_pii(text):
        if pii.is_own(match, list(own)):
            continue  # the agent's own contact data, as in the text check
        box: Box | None = None
        for start, end, word in spans:
            if start < match.end and match.start < end:
                piece = _part(word, match.start - start, match.end - start)
                box = piece if box is None else box.union(piece)
        if box is not None:
            found.append(Place(match.kind, box))
    return found


def find_places(words: Iterable[Word], own: Sequence[pii.PiiMatch] = ()) -> list[Place]:
    """Every finding on the picture whose ``words`` were read, line by line."""
    found: list[Place] = []
    for line in _lines(words):
        found += places_in_line(line, own)
    return found


def check(recognition: Recognition, own: Sequence[pii.PiiMatch] = ()) -> ScreenshotCheck:
    """The places found in what was read, and whether the picture was read completely."""
    return ScreenshotCheck(tuple(find_places(recognition.words, own)), recognition.reason)


# --- in a report ---------------------------------------------------------------------------------

CHECKED, INCOMPLETE, SKIPPED = "checked", "incomplete", "skipped"  # EvidenceItem.pii_check


def state_of(result: ScreenshotCheck) -> str:
    """What the report records about a check: CHECKED, INCOMPLETE (time limit) or SKIPPED."""
    from capture_app.core.privacy.screen_text import FAILED, NOT_INSTALLED

    if result.reason in (NOT_INSTALLED, FAILED):
        return SKIPPED
    return CHECKED if result.ran else INCOMPLETE


def record(item: EvidenceItem, result: ScreenshotCheck) -> None:
    """Keep on ``item`` that it was checked and how many places wait for the agent (no text)."""
    item.pii_check = state_of(result)
    item.pii_places = item.pii_open = len(result.places)
    item.pii_redacted = 0


def is_screenshot(item: EvidenceItem) -> bool:
    return item.kind == "screenshot" or item.media_type.startswith("image/")


def unchecked(report: Report) -> list[EvidenceItem]:
    """The screenshots to be sent whose text has not been checked yet."""
    return [item for item in report.included_evidence() if is_screenshot(item) and not item.pii_check]


def to_review(report: Report) -> list[EvidenceItem]:
    """The screenshots to be sent with places the agent has neither redacted nor dismissed."""
    return [item for item in report.included_evidence() if is_screenshot(item) and item.pii_open]
