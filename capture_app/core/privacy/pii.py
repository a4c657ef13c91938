"""Personal data in text that leaves the machine: e-mail addresses, German phone numbers, IBANs.

``find_pii`` returns spans (for highlighting in the Review step), ``mask`` replaces them
(one click there). Matching is tuned to miss little and to stay quiet on what fills logs —
order numbers, timestamps, version strings: phone numbers must start with ``+49``, ``0049`` or a
single ``0`` and an area code, may not be glued to other digits, dots or colons, and IBANs must
have their country's length and a valid ISO 13616 check sum.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

EMAIL, PHONE, IBAN = "email", "phone", "iban"
KINDS = (EMAIL, PHONE, IBAN)
MASKS = {EMAIL: "[E-MAIL]", PHONE: "[TELEFON]", IBAN: "[IBAN]"}


@dataclass(frozen=True)
class PiiMatch:
    kind: str
    start: int
    end: int
    text: str


# --- e-mail -------------------------------------------------------------------------------------

# One pattern for the whole address, anchored where a run of local-part characters starts (the
# look-behind): a text is scanned once, whatever it holds — a run of "@", a megabyte of one
# word, "a@a@a@…" — instead of a Python step per "@".
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])([A-Za-z0-9._%+\-]{1,64})@"
    r"((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})(?![A-Za-z0-9-])")
_NOT_PEOPLE = frozenset({"REDACTED", "[REDACTED]"})


def _emails(text: str) -> list[PiiMatch]:
    if "@" not in text:
        return []
    found = []
    for match in _EMAIL.finditer(text):
        start, at = match.start(1), match.end(1)
        while start < at and text[start] in "._%+-":  # "…/.m.muster@" starts at the letter
            start += 1
        if start == at or text[start:at] in _NOT_PEOPLE:
            continue
        found.append(PiiMatch(EMAIL, start, match.end(), text[start:match.end()]))
    return found


# --- phone numbers (German formats) -------------------------------------------------------------

_PHONE = re.compile(
    r"(?<![\w+./:,#\-])"  # not glued to a word, a number, a version or a time
    r"(?P<prefix>(?:\+|00)49[ \-/\u00a0]?(?:\(0\)[ \-/\u00a0]?)?|\(?0)"
    r"(?P<rest>\(?[1-9]\d{0,4}\)?(?:[ \-/\u00a0]{0,2}\d{1,8}){1,5})"
    r"(?!\w)(?![.,:]\d)")
_PHONE_HINT = re.compile(r"(?i)\b(?:tel|telefon|fon|phone|handy|mobil|mobile|fax|rufnummer|"
                         r"ruf|anrufen|erreichbar|call|r[üu]ckruf)\w*\b")
_DATE_LIKE = re.compile(r"^\(?\d{1,4}\)?[ ./\-]\d{1,2}[ ./\-]\d{2,4}$")


_NON_DIGIT = re.compile(r"\D")


def _phones(text: str) -> list[PiiMatch]:
    found = []
    for match in _PHONE.finditer(text):
        value, rest = match.group(0), match.group("rest")
        digits = _NON_DIGIT.sub("", rest)
        if not 6 <= len(digits) <= 13:
            continue
        national = match.group("prefix").lstrip("(") == "0"
        if national and _DATE_LIKE.match(value):
            continue  # 01/12/2026
        if national and rest.isdigit() and not (
                re.match(r"1[5-7]\d", rest) or _PHONE_HINT.search(text, max(0, match.start() - 30), match.start())):
            # An unbroken run of digits with a leading 0 is as often a zero-padded record number;
            # it counts as a phone number for a mobile prefix or after a word like "Tel.".
            continue
        found.append(PiiMatch(PHONE, match.start(), match.end(), value))
    return found


# --- IBAN (ISO 13616) ----------------------------------------------------------------------------

IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22,
    "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32,
    "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
    "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23,
    "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}")


def iban_checksum_ok(iban: str) -> bool:
    """ISO 7064 mod 97-10: move the first four characters to the end, letters to 10..35."""
    compact = iban.replace(" ", "").upper()
    if len(compact) < 15 or not compact.isalnum():
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def _is_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _ibans(text: str) -> list[PiiMatch]:
    """From each "CC00" start, take as many characters as the country's IBAN has (single
    spaces between groups allowed), then check the sum."""
    found = []
    for match in _IBAN_START.finditer(text):
        length = IBAN_LENGTHS.get(match.group(0)[:2].upper())
        if length is None:
            continue
        start = pos = match.start()
        count = 0
        while pos < len(text) and count < length:
            ch = text[pos]
            if _is_alnum(ch):
                count += 1
            elif not (ch == " " and _is_alnum(text[pos - 1]) and pos + 1 < len(text)
                      and _is_alnum(text[pos + 1])):
                break
            pos += 1
        if count != length or (pos < len(text) and _is_alnum(text[pos])):
            continue
        candidate = text[start:pos]
        if iban_checksum_ok(candidate):
            found.append(PiiMatch(IBAN, start, pos, candidate))
    return found


# --- together ------------------------------------------------------------------------------------

_PRIORITY = {IBAN: 0, EMAIL: 1, PHONE: 2}


def find_pii(text: str) -> list[PiiMatch]:
    """Every finding in ``text``, sorted by position, without overlaps (IBAN > e-mail > phone)."""
    if not text:
        return []
    taken: list[PiiMatch] = []
    # Kind by kind (IBAN > e-mail > phone), each found in order of position, merged into the
    # findings kept so far in one sweep: a candidate overlapping a kept finding is dropped.
    for found in (_ibans(text), _emails(text), _phones(text)):
        if found:
            taken = _merge(taken, found)
    return taken


def _merge(taken: list[PiiMatch], found: list[PiiMatch]) -> list[PiiMatch]:
    merged: list[PiiMatch] = []
    index, count = 0, len(taken)
    last_end = -1  # end of the last finding added from ``found``
    for match in found:
        while index < count and taken[index].end <= match.start:
            merged.append(taken[index])
            index += 1
        if (index < count and taken[index].start < match.end) or match.start < last_end:
            continue
        if merged and merged[-1].end > match.start:
            continue
        merged.append(match)
        last_end = match.end
    merged.extend(taken[index:])
    return merged


def mask(text: str, matches: list[PiiMatch] | None = None) -> str:
    """``text`` with the given findings (all of them by default) replaced by ``[E-MAIL]`` etc."""
    matches = find_pii(text) if matches is None else matches
    out, pos = [], 0
    for match in sorted(matches, key=lambda m: m.start):
        if match.start < pos or text[match.start:match.end] != match.text:
            continue  # stale finding: the text changed since it was found
        out.append(text[pos:match.start])
        out.append(MASKS[match.kind])
        pos = match.end
    out.append(text[pos:])
    return "".join(out)


# --- in machine-written text (network logs) -----------------------------------------------------

COUNT_KEYS = {EMAIL: "emails", PHONE: "phones", IBAN: "ibans"}
# A JSON escape (``\n``, ``\"``, ``\u00e4``, and the same escaped again, ``\\n``, in a body that
# is itself a JSON string) is a boundary, like the character it stands for: the "n" of ``\n``
# would otherwise glue itself to a following IBAN or phone number.
_LETTER_ESCAPES = ("\\n", "\\r", "\\t", "\\b", "\\f")
_UNICODE_ESCAPE = re.compile(r"\\u[0-9A-Fa-f]{4}")
# Only text with an "@" or two digits in a row can hold a plain finding.
_MAYBE = re.compile(r"@|\d\d")
# Runs of characters a URL component may hold unencoded. The look-behind lets a match start only
# where a run starts, so each run is scanned once (linear time, however long).
_URL_CHARS = r"A-Za-z0-9._~!$'()*,;:@+%\-"
_ENCODED_RUN = re.compile(rf"(?<![{_URL_CHARS}])[{_URL_CHARS}]*?[%+][{_URL_CHARS}]*")


def find_pii_escaped(text: str) -> list[PiiMatch]:
    """``find_pii`` for JSON source text: escapes count as boundaries; spans are the text's own."""
    if "\\" not in text:
        return find_pii(text)
    # Same-length replacements, so the spans found are the text's own. Quotes, slashes and
    # backslashes are boundaries already; only the letter of an escape could glue.
    for escape in _LETTER_ESCAPES:
        if escape in text:
            text = text.replace(escape, "\x00\x00")
    if "\\u" in text:
        text = _UNICODE_ESCAPE.sub("\x00" * 6, text)
    return find_pii(text)


# Encoded text can only hide a finding where an "@" or a "+" is encoded, or where digits are
# joined by an encoded space, dash or slash (a phone number or IBAN in a query string).
# (Every branch starts with "%" or "+", which lets the scan skip ahead quickly.)
_ENCODED_HINT = re.compile(r"%(?:40|2[Bb]|2[0DdFf]\d{3})|\+\d{3}")
# Short strings already found clean: the same header values come in every request of a log.
_CLEAN: set[str] = set()
_CLEAN_LIMIT = 8192


def mask_counted(text: str, counts: Counter[str] | None = None) -> str:
    """Every finding masked — also in percent-encoded runs (``erika%40example.de``, ``030+123…``)
    and next to JSON escapes; ``counts["emails"|"phones"|"ibans"]`` go up by what was masked."""
    if len(text) < 6 or text in _CLEAN:
        return text
    original = text
    if _MAYBE.search(text):
        matches = find_pii_escaped(text)
        if matches:
            text = mask(text, matches)
            _count(matches, counts)
    if _ENCODED_HINT.search(text):
        text = _ENCODED_RUN.sub(lambda m: _mask_encoded(m.group(), counts), text)
    if text is original and len(text) <= 512:
        if len(_CLEAN) >= _CLEAN_LIMIT:
            _CLEAN.clear()
        _CLEAN.add(text)
    return text


def _mask_encoded(run: str, counts: Counter[str] | None) -> str:
    from urllib.parse import quote, unquote, unquote_plus

    if not _ENCODED_HINT.search(run):
        return run
    for decode in (unquote, unquote_plus) if "+" in run else (unquote,):
        decoded = decode(run)
        if decoded == run:
            continue
        matches = find_pii(decoded)
        if matches:
            _count(matches, counts)
            return quote(mask(decoded, matches), safe="@")
    return run


def _count(matches: list[PiiMatch], counts: Counter[str] | None) -> None:
    if counts is not None:
        for match in matches:
            counts[COUNT_KEYS[match.kind]] += 1


# --- in a report ---------------------------------------------------------------------------------

# The report's free-text fields that are sent (the agent's own contact data is meant to be sent).
REPORT_FIELDS = (
    ("summary",), ("description", "affected_name"), ("description", "area"), ("description", "url"),
    ("description", "what"), ("description", "steps"), ("description", "expected"),
    ("description", "actual"), ("occurred", "note"), ("triage", "escalation_reason"),
    ("advisor_environment", "notes"), ("customer_environment", "notes"), ("meeting_reference",),
)
TEXT_MEDIA_TYPES = ("text/plain", "application/json")


@dataclass(frozen=True)
class Finding:
    source: str  # "field:description.what", "case_field:<id>", "evidence:<id>", "evidence_text:<id>:title"
    match: PiiMatch
    line: int  # 1-based line of the match in its text
    context: str  # that line, shortened around the match

    @property
    def kind(self) -> str:
        return self.match.kind


def _context(text: str, match: PiiMatch, width: int = 40) -> tuple[int, str]:
    line = text.count("\n", 0, match.start) + 1
    start = text.rfind("\n", 0, match.start) + 1
    end = text.find("\n", match.end)
    end = len(text) if end == -1 else end
    left = max(start, match.start - width)
    right = min(end, match.end + width)
    snippet = text[left:right].replace("\t", " ")
    return line, ("…" if left > start else "") + snippet + ("…" if right < end else "")


def findings_in(text: str, source: str) -> list[Finding]:
    found = []
    for match in find_pii(text):
        line, context = _context(text, match)
        found.append(Finding(source, match, line, context))
    return found


def _get(obj: Any, path: tuple[str, ...]) -> Any:
    for name in path:
        obj = getattr(obj, name)
    return obj


def _set(obj: Any, path: tuple[str, ...], value: str) -> None:
    for name in path[:-1]:
        obj = getattr(obj, name)
    setattr(obj, path[-1], value)


def report_texts(report: Any) -> list[tuple[str, str]]:
    """(source, text) for every free-text field of the report that is sent."""
    texts = [(f"field:{'.'.join(path)}", _get(report, path)) for path in REPORT_FIELDS]
    texts += [(f"case_field:{key}", value) for key, value in report.description.case_fields.items()]
    for item in report.included_evidence():
        texts.append((f"item:{item.id}:title", item.title))
        texts.append((f"item:{item.id}:summary", getattr(item, "summary", "")))
    return [(source, text) for source, text in texts if isinstance(text, str) and text]


def is_text_evidence(item: Any) -> bool:
    return item.kind in ("console", "network") or item.media_type in TEXT_MEDIA_TYPES


def find_in_report(report: Any, read_text: Any) -> list[Finding]:
    """Findings in the report's fields and in its included text evidence.

    ``read_text(item) -> str | None`` reads an evidence file (``None``: unreadable or too large).
    """
    found = []
    for source, text in report_texts(report):
        found += findings_in(text, source)
    for item in report.included_evidence():
        if not is_text_evidence(item):
            continue
        text = read_text(item)
        if text:
            found += findings_in(text, f"evidence:{item.id}")
    return found


def mask_report(report: Any, findings: list[Finding]) -> int:
    """Mask the given findings in the report's own fields (not files); returns how many."""
    by_source: dict[str, list[PiiMatch]] = {}
    for finding in findings:
        by_source.setdefault(finding.source, []).append(finding.match)
    masked = 0
    for source, matches in by_source.items():
        kind, _, rest = source.partition(":")
        if kind == "field":
            path = tuple(rest.split("."))
            old = _get(report, path)
            new = mask(old, matches)
            _set(report, path, new)
        elif kind == "case_field":
            old = report.description.case_fields.get(rest, "")
            new = mask(old, matches)
            report.description.case_fields[rest] = new
        elif kind == "item":
            item_id, _, attribute = rest.partition(":")
            item = report.evidence_item(item_id)
            if item is None:
                continue
            old = getattr(item, attribute)
            new = mask(old, matches)
            setattr(item, attribute, new)
        else:
            continue
        masked += sum(1 for m in matches if m.text in old) if new != old else 0
    return masked


# --- the reporting agent's own contact data ----------------------------------------------------

# The agent's e-mail address and phone number go with every report on purpose (support calls
# back): wherever they appear they are theirs, not a customer's — not flagged, never masked.


def _phone_key(text: str) -> str:
    """A phone number's digits in national form: "+49 30 123", "0049 (0)30 123" → "030123"."""
    digits = re.sub(r"\D", "", text.replace("(0)", ""))
    if digits.startswith("0049"):
        digits = "0" + digits[4:]
    elif text.lstrip().startswith("+49"):
        digits = "0" + digits[2:]
    return digits


def own_contact(reporter: Any) -> list[PiiMatch]:
    """The reporter's e-mail address and phone number (as matches of their own text)."""
    own = []
    for kind, value in ((EMAIL, getattr(reporter, "email", "")), (PHONE, getattr(reporter, "phone", ""))):
        value = (value or "").strip()
        if value:
            own.append(PiiMatch(kind, 0, len(value), value))
    return own


def is_own(match: PiiMatch, own: Sequence[PiiMatch]) -> bool:
    """``match`` is one of the reporter's own contact details (``own_contact``)."""
    for mine in own:
        if mine.kind != match.kind:
            continue
        if match.kind == EMAIL and match.text.casefold() == mine.text.casefold():
            return True
        if match.kind == PHONE and _phone_key(match.text) == _phone_key(mine.text):
            return True
    return False


def customer_findings(findings: list[Finding], reporter: Any) -> list[Finding]:
    """``findings`` without the reporter's own contact data."""
    own = own_contact(reporter)
    return [finding for finding in findings if not is_own(finding.match, own)]
