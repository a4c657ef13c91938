"""Every reader of untrusted input, fed generated hostile input (Hypothesis, fixed budget): it
raises nothing but its own error type, and no secret or personal data planted anywhere in the
input comes out."""
from __future__ import annotations

import base64
import io
import json
import struct
import unicodedata
import zlib
from urllib.parse import quote, unquote, unquote_plus

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from capture_app.core.environment.useragent import UserAgentError, parse_user_agent
from capture_app.core.evidence import console_log, filetypes, har, png
from capture_app.core.evidence.importing import EvidenceError, check_import
from capture_app.core.platform.config import Config
from capture_app.core.platform.fsutil import MAX_NAME_LENGTH, sanitize_filename
from capture_app.core.platform.paths import AppPaths
from capture_app.core.privacy import pii, text_scrub
from tests.hypothesis_profile import HOSTILE, HOSTILE_SMALL

SECRET = "Zq7Xw9Kp4Lm2Vn8R"
EMAIL = "erika.muster@kundin-example.de"
IBAN = "DE89370400440532013000"
PHONE = "+49 30 12345678"

# Text with what breaks parsers: quotes, escapes, brackets, separators, line breaks, percent
# signs, non-ASCII, control characters.
HOSTILE_CHARS = st.sampled_from([*'"\\{}[]:,=&?#%+@/<>\'\n\r\t ;', "ü", "€", "\x00", "\u202e", "a", "Z",
                                 "0", "9"])
hostile_text = st.one_of(st.text(max_size=60), st.lists(HOSTILE_CHARS, max_size=60).map("".join))
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), hostile_text,
                         st.floats(allow_nan=False, allow_infinity=False))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(hostile_text, inner, max_size=4)), max_leaves=12)


def _traces(text: str) -> list[str]:
    forms = [text, unquote(text), unquote_plus(text), text.replace("\\/", "/")]
    found = [needle for needle in (SECRET, EMAIL, IBAN, PHONE, "12345678", "kundin-example")
             for form in forms if needle in form]
    return sorted(set(found))


# --- HAR ---------------------------------------------------------------------------------------

def _entry(url="https://app.example.de/api/x?page=1"):
    return {"startedDateTime": "2026-11-27T09:15:02.120+01:00", "time": 12.5,
            "request": {"method": "GET", "url": url, "httpVersion": "HTTP/2", "cookies": [],
                        "headers": [], "queryString": [], "headersSize": -1, "bodySize": 0},
            "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/2", "cookies": [],
                         "headers": [], "content": {"size": 0, "mimeType": "application/json"},
                         "redirectURL": "", "headersSize": -1, "bodySize": 0},
            "cache": {}, "timings": {"send": 1, "wait": 10, "receive": 1}}


def _nest(value, junk, depth):
    for _ in range(depth):
        value = [junk, value] if isinstance(junk, list) else {"x": junk, "y": value}
    return value


PLANTS = {
    "authorization": lambda e, s, j, d: e["request"]["headers"].append(
        {"name": "Authorization", "value": f"Bearer {s}"}),
    "cookie_header": lambda e, s, j, d: e["request"]["headers"].append(
        {"name": "Cookie", "value": f"sid={s}; theme=dark"}),
    "cookie": lambda e, s, j, d: e["response"]["cookies"].append({"name": "x", "value": s}),
    "query": lambda e, s, j, d: e["request"].update(url=e["request"]["url"] + f"&access_token={quote(s)}"),
    "fragment": lambda e, s, j, d: e["request"].update(url=e["request"]["url"] + f"#id_token={s}"),
    "userinfo": lambda e, s, j, d: e["request"].update(url=f"https://max:{s}@app.example.de/x"),
    "jwt": lambda e, s, j, d: e["request"]["headers"].append(
        {"name": "X-Trace", "value": f"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.{s}"}),
    "json_body": lambda e, s, j, d: e["response"]["content"].update(
        text=json.dumps(_nest({"password": s, "junk": j}, j, d))),
    "nested_body": lambda e, s, j, d: e["response"]["content"].update(
        text=json.dumps({"credentials": _nest({"pw": s}, j, d)})),
    "form": lambda e, s, j, d: e["request"].update(postData={
        "mimeType": "application/x-www-form-urlencoded", "text": f"user=max&passwort={quote(s)}"}),
    "multipart": lambda e, s, j, d: e["request"].update(postData={
        "mimeType": "multipart/form-data; boundary=b",
        "text": f'--b\r\nContent-Disposition: form-data; name="api_key"\r\n\r\n{s}'
                + ("\r\n--b--" if d % 2 else "")}),
    "base64_body": lambda e, s, j, d: e["response"]["content"].update(
        encoding="base64", text=base64.b64encode(json.dumps({"token": s}).encode()).decode()),
    "extra": lambda e, s, j, d: e.update(_custom=_nest({"session": s}, j, d)),
    "websocket": lambda e, s, j, d: e.update(_webSocketMessages=[
        {"type": "send", "time": 1, "opcode": 1, "data": json.dumps({"auth": s})}]),
}
PERSONAL = {
    "body": lambda e, p, j: e["response"]["content"].update(text=json.dumps({"note": j, "kontakt": p})),
    "query": lambda e, p, j: e["request"].update(url=e["request"]["url"] + "&q=" + quote(p, safe="")),
    "query_plus": lambda e, p, j: e["request"]["queryString"].append({"name": "q", "value": p}),
    "header": lambda e, p, j: e["request"]["headers"].append({"name": "X-User", "value": f"<{p}>"}),
    "path": lambda e, p, j: e["request"].update(url=f"https://app.example.de/u/{quote(p)}/x"),
    "extra": lambda e, p, j: e.update(_note=_nest(f"an {p}\n", j, 3)),
}


@HOSTILE_SMALL
@given(plants=st.lists(st.sampled_from(sorted(PLANTS)), min_size=1, max_size=4),
       personal=st.lists(st.tuples(st.sampled_from(sorted(PERSONAL)),
                                   st.sampled_from([EMAIL, IBAN, PHONE])), max_size=3),
       junk=json_values, depth=st.integers(0, 40), extra_entries=st.integers(0, 3),
       indent=st.sampled_from([None, 1, "\t"]))
def test_har_no_planted_secret_or_personal_data_survives(plants, personal, junk, depth,
                                                         extra_entries, indent):
    target = _entry()
    for name in plants:
        PLANTS[name](target, SECRET, junk, depth)
    for where, value in personal:
        PERSONAL[where](target, value, junk)
    entries = [_entry() for _ in range(extra_entries)] + [target]
    document = {"log": {"version": "1.2", "creator": {"name": "x", "version": "1"},
                        "entries": entries, "_junk": junk}}
    out = io.StringIO()
    har.sanitise_har_text(json.dumps(document, indent=indent), out)
    written = out.getvalue()
    assert _traces(written) == []
    data = json.loads(written, parse_constant=lambda name: pytest.fail(f"{name} written"))
    assert len(data["log"]["entries"]) == len(entries)


@HOSTILE
@given(text=st.one_of(hostile_text, st.text(max_size=300)), cut=st.integers(0, 400))
def test_har_arbitrary_or_cut_text_raises_only_har_errors(text, cut):
    candidates = [text, json.dumps({"log": {"entries": [_entry()], "x": text}})[:cut],
                  '{"log": {"entries": [' + text + "]}}"]
    for candidate in candidates:
        try:
            har.sanitise_har_text(candidate, io.StringIO())
        except har.HarError as exc:
            assert exc.message("de") and exc.message("en")


# --- console logs, free text, personal data ----------------------------------------------------------

SECRET_LINES = [
    f"Authorization: Bearer {SECRET}",
    f"GET https://app.example.de/api?access_token={SECRET} 401",
    f'{{"password": "{SECRET}"}}',
    f"token={SECRET}",
    f"Set-Cookie: session={SECRET}; Path=/",
    f"fetch https://max:{SECRET}@app.example.de/",
    f"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.{SECRET}",
]


@HOSTILE
@given(lines=st.lists(st.one_of(hostile_text, st.sampled_from(SECRET_LINES)), max_size=12),
       planted=st.lists(st.sampled_from(SECRET_LINES), min_size=1, max_size=3))
def test_console_text_no_planted_secret_survives(lines, planted):
    text = "\n".join(lines + planted + lines[:2])
    try:
        console_log.check_text(text)
    except console_log.ConsoleLogError:
        return
    parsed = console_log.parse(text)
    rendered = console_log.render_report(parsed, "de").text
    rendered.encode("utf-8")
    assert SECRET not in rendered
    assert all(SECRET not in entry.message for entry in parsed.entries)


@HOSTILE
@given(text=st.text(max_size=400))
def test_console_any_text_raises_only_console_errors(text):
    try:
        console_log.check_text(text)
        console_log.render_report(console_log.parse(text), "en").text.encode("utf-8")
    except console_log.ConsoleLogError as exc:
        assert exc.message("de")


@HOSTILE
@given(before=hostile_text, after=hostile_text, value=st.sampled_from([EMAIL, IBAN, PHONE]),
       encode=st.sampled_from(["plain", "percent", "json"]))
def test_personal_data_is_masked_wherever_it_stands(before, after, value, encode):
    shown = {"plain": value, "percent": quote(value, safe=""),
             "json": json.dumps(value)[1:-1]}[encode]
    text = f"{before}\n{shown}\n{after}"
    masked = pii.mask_counted(text)
    assert value not in masked and value not in unquote(masked)


@HOSTILE
@given(text=st.text(max_size=500))
def test_scrubbers_and_finders_never_raise(text):
    text_scrub.scrub_text(text)
    text_scrub.scrub_body(text, "application/json", __import__("collections").Counter())
    text_scrub.scrub_multipart(text, __import__("collections").Counter())
    text_scrub.scrub_url(text)
    for match in pii.find_pii(text):
        assert text[match.start:match.end] == match.text
    pii.mask(text)
    pii.mask_counted(text)


@HOSTILE
@given(prefix=hostile_text, name=st.sampled_from(["password", "apiKey", "X-Auth-Token", "session"]),
       sep=st.sampled_from(["=", '": "', ": "]))
def test_free_text_no_planted_secret_survives(prefix, name, sep):
    if sep == '": "':
        line = f'{{"{name}": "{SECRET}"}}'
    elif sep == "=":
        line = f"{name}={SECRET}"
    else:
        line = f"{name}: Bearer {SECRET}"
    assert SECRET not in text_scrub.scrub_text(f"{prefix}\n{line}\n{prefix}")


# --- file names, file types, user agents -------------------------------------------------------------

@HOSTILE
@given(name=st.one_of(st.text(max_size=300),
                      st.lists(HOSTILE_CHARS | st.sampled_from(["..", "CON", "."]), max_size=40).map("".join)))
def test_file_names_are_always_safe(name):
    safe = sanitize_filename(name)
    assert safe and len(safe) <= MAX_NAME_LENGTH
    assert "/" not in safe and "\\" not in safe and ".." not in safe and "\x00" not in safe
    assert unicodedata.normalize("NFC", safe) == safe
    assert not safe.startswith((" ", ".")) and not safe.endswith((" ", "."))


PNG_IMAGE = png.encode(16, 8, bytes(16 * 8 * 3))
SIGNATURES = [PNG_IMAGE, b"\xff\xd8\xff\xe0", b"GIF89a", b"%PDF-1.7\n", b"PK\x03\x04", b"MZ",
              b"\x7fELF", b"RIFF\x00\x00\x00\x00WEBP", b"BM", b'{"log": {', b"\xef\xbb\xbf", b"\xff\xfe"]


@HOSTILE
@given(head=st.sampled_from(SIGNATURES), tail=st.binary(max_size=300), complete=st.booleans())
def test_file_type_sniffing_never_raises(head, tail, complete):
    assert isinstance(filetypes.sniff(head + tail, complete=complete), filetypes.FileType)


@HOSTILE
@given(head=st.sampled_from(SIGNATURES), tail=st.binary(max_size=300),
       kind=st.sampled_from(["screenshot", "document", "console", "network", "other"]),
       name=st.sampled_from(["a.png", "b.pdf", "c.txt", "d.har", "e", "f.exe", "g.jpg"]))
def test_evidence_checks_raise_only_evidence_errors(tmp_path_factory, head, tail, kind, name):
    path = tmp_path_factory.mktemp("ev") / name
    path.write_bytes(head + tail)
    try:
        check_import(path, kind)
    except EvidenceError as exc:
        assert exc.message("de")


@HOSTILE
@given(text=st.one_of(st.text(max_size=300), st.sampled_from([
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Version/17.1 Mobile/15E148 Safari/604.1",
]).flatmap(lambda ua: st.builds(lambda a, b: a + ua + b, hostile_text, hostile_text))))
def test_user_agents_raise_only_user_agent_errors(text):
    try:
        parsed = parse_user_agent(text)
    except UserAgentError as exc:
        assert exc.message("de")
    else:
        assert parsed.browser


# --- config TOML -------------------------------------------------------------------------------------

toml_lines = st.one_of(
    hostile_text,
    st.sampled_from(["[reporter]", "[support]", "[[x]]", "[a.b]", 'name = "Erika"', "phone = 12",
                     'opens = "25:00"', "locked = [\"support.email\"]", 'x = """', '"""',
                     "organisation = '" + "A" * 1200 + "'", "a.b.c = 1", "key = {x = 1}"]))


@HOSTILE
@given(lines=st.lists(toml_lines, max_size=15))
def test_config_files_never_stop_the_app(tmp_path_factory, lines):
    root = tmp_path_factory.mktemp("config")
    app_paths = AppPaths(data_dir=root / "data", config_dir=root / "config",
                         system_config_file=root / "system.toml")
    app_paths.user_config_file.parent.mkdir(parents=True, exist_ok=True)
    app_paths.user_config_file.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    config = Config.load(app_paths)
    for problem in config.problems:
        assert problem.message("de") and problem.message("en")
    assert len(config.get("reporter.organisation")) <= 1000


# --- PNG -------------------------------------------------------------------------------------------

@HOSTILE
@given(cut=st.integers(0, len(PNG_IMAGE)), flips=st.lists(st.tuples(st.integers(0, len(PNG_IMAGE) - 1),
                                                                 st.integers(1, 255)), max_size=3),
       extra=st.binary(max_size=40))
def test_png_validation_raises_only_png_errors(cut, flips, extra):
    data = bytearray(PNG_IMAGE[:cut] + extra)
    for position, mask in flips:
        if position < len(data):
            data[position] ^= mask
    try:
        width, height = png.verify(bytes(data))
    except png.PngError:
        pass
    else:
        assert (width, height) == (16, 8)
    try:
        png.inspect(bytes(data))
    except png.PngError:
        pass


@HOSTILE
@given(width=st.integers(1, 40), height=st.integers(1, 20), colour=st.sampled_from([0, 2, 3, 4, 6]),
       keep=st.floats(0, 0.999))
def test_png_with_part_of_its_rows_is_refused(width, height, colour, keep):
    depth = 8
    row = 1 + width * {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    raw = bytes(row * height)
    cut = raw[:int(len(raw) * keep)]
    assume(len(cut) < len(raw))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    head = png.SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0))
    if colour == 3:
        head += chunk(b"PLTE", bytes(3))
    with pytest.raises(png.PngError):
        png.verify(head + chunk(b"IDAT", zlib.compress(cut)) + chunk(b"IEND", b""))
    assert png.verify(head + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")) == (width, height)
