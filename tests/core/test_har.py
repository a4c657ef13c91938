"""HAR import: every secret location is emptied, the result is still HAR 1.2, failures are summarised."""
from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path
from urllib.parse import quote, unquote

import jsonschema
import pytest

from capture_app.core.evidence import har

FIXTURES = Path(__file__).parents[1] / "fixtures"
CANARY = "Kanarien vogel/7f3a+9c21=GEHEIM&ü"
ENCODINGS = {
    "plain": lambda s: s,
    "url": lambda s: quote(s, safe=""),
    "base64": lambda s: base64.b64encode(s.encode()).decode(),
}


@pytest.fixture(scope="module")
def har_validator():
    schema = json.loads((FIXTURES / "har" / "har-1.2.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def entry(url="https://beratung.example-bank.de/api/meetings/4711?page=2", status=200, **extra):
    item = {
        "startedDateTime": "2026-11-27T09:15:02.120+01:00",
        "time": 120.5,
        "request": {"method": "GET", "url": url, "httpVersion": "HTTP/2",
                    "cookies": [], "headers": [{"name": "Accept", "value": "application/json"}],
                    "queryString": [{"name": "page", "value": "2"}], "headersSize": -1, "bodySize": 0},
        "response": {"status": status, "statusText": "OK" if status == 200 else "Bad Gateway",
                     "httpVersion": "HTTP/2", "cookies": [],
                     "headers": [{"name": "Content-Type", "value": "application/json"}],
                     "content": {"size": 15, "mimeType": "application/json", "text": '{"status":"ok"}'},
                     "redirectURL": "", "headersSize": -1, "bodySize": 15},
        "cache": {}, "timings": {"blocked": -1, "send": 1, "wait": 100, "receive": 19.5},
    }
    item.update(extra)
    return item


def document(*entries) -> dict:
    return {"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"},
                    "pages": [{"startedDateTime": "2026-11-27T09:15:00.000+01:00", "id": "page_1",
                               "title": "https://beratung.example-bank.de/meeting/4711",
                               "pageTimings": {"onContentLoad": 800, "onLoad": 1200}}],
                    "entries": list(entries)}}


def sanitise(data: dict | str, **options) -> tuple[str, har.HarResult]:
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, indent=2)
    out = io.StringIO()
    result = har.sanitise_har_text(text, out, har.SanitiseOptions(**options), name="netz.har")
    return out.getvalue(), result


# --- where secrets are planted ------------------------------------------------------------------

def u(secret: str) -> str:
    """The secret as it can stand in a URL; an already URL-encoded one is not encoded twice."""
    return quote(secret, safe="%")


def _header(where: str, name: str, value_of):
    def plant(e, secret):
        e[where]["headers"].append({"name": name, "value": value_of(secret)})
    return plant


def _query(name):
    def plant(e, secret):
        e["request"]["url"] += f"&{name}={u(secret)}"
        e["request"]["queryString"].append({"name": name, "value": secret})
    return plant


def _json_body(where, body_of):
    def plant(e, secret):
        if where == "request":
            e["request"]["method"] = "POST"
            e["request"]["postData"] = {"mimeType": "application/json",
                                        "text": json.dumps(body_of(secret), ensure_ascii=False)}
        else:
            e["response"]["content"] = {"size": 10, "mimeType": "application/json; charset=utf-8",
                                        "text": json.dumps(body_of(secret), ensure_ascii=False)}
    return plant


def _base64_response(e, secret):
    body = json.dumps({"session": {"refresh_token": secret}, "status": "ok"}, ensure_ascii=False)
    e["response"]["content"] = {"size": len(body), "mimeType": "application/json",
                                "encoding": "base64", "text": base64.b64encode(body.encode()).decode()}


def _form_text(e, secret):
    e["request"]["method"] = "POST"
    e["request"]["postData"] = {"mimeType": "application/x-www-form-urlencoded",
                                "text": f"username=m.muster&password={u(secret)}&remember=1"}


def _form_params(e, secret):
    e["request"]["method"] = "POST"
    e["request"]["postData"] = {"mimeType": "application/x-www-form-urlencoded", "text": "",
                                "params": [{"name": "username", "value": "m.muster"},
                                           {"name": "otp", "value": secret}]}


def _multipart(e, secret):
    e["request"]["method"] = "POST"
    text = ("--XyZ\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\nm.muster\r\n"
            f"--XyZ\r\nContent-Disposition: form-data; name=\"passwort\"\r\n\r\n{secret}\r\n--XyZ--\r\n")
    e["request"]["postData"] = {"mimeType": "multipart/form-data; boundary=XyZ", "text": text}


def _userinfo(e, secret):
    e["request"]["url"] = e["request"]["url"].replace("https://", f"https://m.muster:{u(secret)}@")
    e["request"]["headers"].append({"name": "Referer",
                                    "value": f"https://admin:{u(secret)}@intranet.example-bank.de/x"})
    e["response"]["redirectURL"] = f"ftp://user:{u(secret)}@files.example-bank.de/"


def _fragment(e, secret):
    e["request"]["url"] += f"#access_token={u(secret)}&token_type=bearer&state=x1"


def _location(e, secret):
    e["response"]["status"] = 302
    e["response"]["headers"].append(
        {"name": "Location", "value": f"https://beratung.example-bank.de/cb?code={u(secret)}"})


def _jwt(e, secret):
    signature = base64.urlsafe_b64encode(secret.encode()).decode().rstrip("=")
    token = f"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0NzExIn0.{signature}"
    e["response"]["content"]["text"] = json.dumps({"status": "ok", "data": {"link": token}})
    e["request"]["headers"].append({"name": "X-Debug", "value": f"jwt={token}"})


def _page_body(mime):
    def plant(e, secret):
        e["response"]["content"] = {"size": 100, "mimeType": mime,
                                    "text": f"<html><script>var key='{secret}'</script></html>"}
    return plant


def _websocket(e, secret):
    e["_resourceType"] = "websocket"
    e["_webSocketMessages"] = [
        {"type": "send", "time": 1.5, "opcode": 1,
         "data": json.dumps({"op": "auth", "token": secret}, ensure_ascii=False)},
        {"type": "receive", "time": 1.6, "opcode": 1, "data": '{"op":"ready"}'}]


def _cookie_array(where):
    def plant(e, secret):
        e[where]["cookies"].append({"name": "PHPSESSID", "value": secret, "path": "/", "httpOnly": True})
    return plant


LOCATIONS = {
    "request cookie": _cookie_array("request"),
    "response cookie": _cookie_array("response"),
    "Cookie header": _header("request", "Cookie", lambda s: f"lang=de; SESSION={s}"),
    "Set-Cookie header": _header("response", "Set-Cookie", lambda s: f"SESSION={s}; Path=/; HttpOnly"),
    "Authorization bearer": _header("request", "Authorization", lambda s: f"Bearer {s}"),
    "Authorization basic": _header("request", "authorization", lambda s: "Basic " + s),
    "Proxy-Authorization": _header("request", "Proxy-Authorization", lambda s: f"Negotiate {s}"),
    "X-API-Key header": _header("request", "X-API-Key", lambda s: s),
    "X-Auth-Token header": _header("request", "X-Auth-Token", lambda s: s),
    "subscription key header": _header("request", "Ocp-Apim-Subscription-Key", lambda s: s),
    "HTTP/2 :path": _header("request", ":path", lambda s: f"/api/x?access_token={u(s)}"),
    "query access_token": _query("access_token"),
    "query password": _query("password"),
    "query code": _query("code"),
    "query api_key": _query("api_key"),
    "URL fragment": _fragment,
    "Location header": _location,
    "user:pass@ in URLs": _userinfo,
    "form body": _form_text,
    "form params": _form_params,
    "multipart body": _multipart,
    "JSON request body": _json_body("request", lambda s: {"user": "m.muster", "password": s}),
    "nested JSON request body": _json_body("request", lambda s: {"auth": {"refreshToken": s}, "items": [1]}),
    "JSON response body": _json_body("response", lambda s: {"access_token": s, "expires_in": 3600}),
    "base64 JSON response body": _base64_response,
    "JWT signature": _jwt,
    "HTML response body": _page_body("text/html; charset=utf-8"),
    "script response body": _page_body("application/javascript"),
    "WebSocket message": _websocket,
}


def secret_forms(secret: str) -> list[str]:
    b64 = base64.b64encode(secret.encode()).decode()
    return [secret, quote(secret, safe=""), quote(secret), b64, b64.rstrip("="),
            base64.urlsafe_b64encode(secret.encode()).decode().rstrip("=")]


def canary_traces(text: str) -> list[str]:
    """Where the canary can still be read: as is, URL-decoded, JSON-unescaped, base64-decoded."""
    found = [form for form in secret_forms(CANARY) if form in text]
    readable = [unquote(text), unquote(unquote(text)),
                text.encode("ascii", "backslashreplace").decode("unicode_escape", "ignore")]
    found += [f"decoded:{CANARY}" for view in readable if CANARY in view]
    found += [f"base64:{blob}" for blob in _base64_hiding_canary(text + "\n" + readable[0], depth=3)]
    return found


def _base64_hiding_canary(text: str, depth: int) -> list[str]:
    """Blobs that decode — possibly in several rounds — to something with the canary's core."""
    hits = []
    for blob in re.findall(r"[A-Za-z0-9+/_-]{16,}={0,2}", text):
        padded = blob.replace("-", "+").replace("_", "/") + "=" * (-len(blob) % 4)
        try:
            decoded = base64.b64decode(padded).decode("utf-8", "ignore")
        except ValueError:
            continue
        if "7f3a" in decoded or "7f3a" in unquote(decoded) or (
                depth > 1 and _base64_hiding_canary(decoded, depth - 1)):
            hits.append(blob)
    return hits


def assert_no_canary(output: str) -> None:
    assert canary_traces(output) == []


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
@pytest.mark.parametrize("location", sorted(LOCATIONS))
def test_a_canary_planted_anywhere_is_gone_and_the_har_stays_valid(location, encoding, har_validator):
    planted = entry()
    LOCATIONS[location](planted, ENCODINGS[encoding](CANARY))
    data = document(entry(url="https://beratung.example-bank.de/app.js"), planted, entry(status=502))
    assert canary_traces(json.dumps(data, ensure_ascii=False))  # really planted

    output, result = sanitise(data)

    assert_no_canary(output)
    parsed = json.loads(output)
    assert [e.message for e in har_validator.iter_errors(parsed)] == []
    assert len(parsed["log"]["entries"]) == 3 == result.entries
    assert sum(result.removed.values()) > 0


def test_what_support_needs_is_kept(har_validator):
    data = document(entry(), entry(status=502))
    data["log"]["entries"][0]["request"]["headers"].append({"name": "User-Agent", "value": "Mozilla/5.0 Chrome/131"})
    output, result = sanitise(data)
    parsed = json.loads(output)
    first, second = parsed["log"]["entries"]
    assert first["request"]["url"] == "https://beratung.example-bank.de/api/meetings/4711?page=2"
    assert {"name": "page", "value": "2"} in first["request"]["queryString"]
    assert {"name": "User-Agent", "value": "Mozilla/5.0 Chrome/131"} in first["request"]["headers"]
    assert json.loads(first["response"]["content"]["text"]) == {"status": "ok"}
    assert second["response"]["status"] == 502
    assert first["timings"]["wait"] == 100
    assert parsed["log"]["pages"][0]["title"] == "https://beratung.example-bank.de/meeting/4711"
    assert result.removed == {}  # nothing secret, nothing counted


def test_bodies_can_be_kept_on_request():
    planted = entry()
    planted["response"]["content"] = {"size": 30, "mimeType": "text/html", "text": "<p>Termin 4711</p>"}
    kept, _ = sanitise(document(planted), keep_page_bodies=True)
    dropped, result = sanitise(document(planted))
    assert "Termin 4711" in kept
    assert "Termin 4711" not in dropped and result.removed["bodies_removed"] == 1


def test_an_incomplete_har_from_a_browser_is_completed_into_valid_har(har_validator):
    # The foundation's fixture: what an older Firefox wrote without optional-looking fields.
    text = (Path(__file__).parent / "fixtures" / "network.har").read_text(encoding="utf-8")
    output, result = sanitise(text)
    assert [e.message for e in har_validator.iter_errors(json.loads(output))] == []
    assert result.entries == 1 and result.creator == "Firefox 128.0"


def test_a_large_har_keeps_every_entry_in_order(har_validator, tmp_path):
    entries = [entry(url=f"https://beratung.example-bank.de/api/items/{n}?token=t{n}x9") for n in range(2500)]
    source = tmp_path / "gross.har"
    source.write_text(json.dumps(document(*entries), indent=2), encoding="utf-8")
    target = tmp_path / "sauber.har"
    progress = []
    result = har.sanitise_har_file(source, target, progress=lambda done, total: progress.append((done, total)))
    parsed = json.loads(target.read_text(encoding="utf-8"))
    urls = [e["request"]["url"] for e in parsed["log"]["entries"]]
    assert urls == [f"https://beratung.example-bank.de/api/items/{n}?token=REDACTED" for n in range(2500)]
    assert result.entries == 2500 and result.removed["query_values"] == 2500
    assert progress and progress[-1][0] <= progress[-1][1]
    assert [e.message for e in har_validator.iter_errors(parsed)] == []


# --- what failed -----------------------------------------------------------------------------------

def test_failing_and_slow_requests_are_summarised_for_the_report():
    ok = entry()
    server_error = entry(url="https://beratung.example-bank.de/api/calendar/sync?token=geheim1", status=502)
    server_error["request"]["method"] = "POST"
    blocked = entry(url="https://tracker.example.net/pixel.gif", status=0)
    blocked["response"]["_error"] = "net::ERR_BLOCKED_BY_CLIENT"
    refused = entry(url="wss://beratung.example-bank.de/signal", status=0)
    refused["response"]["_error"] = "net::ERR_CONNECTION_REFUSED"
    slow = entry(url="https://beratung.example-bank.de/api/documents/upload", time=8412.3)
    not_found = entry(url="https://beratung.example-bank.de/fehlt.png", status=404)
    not_found["response"]["statusText"] = "Not Found"
    _, result = sanitise(document(ok, server_error, blocked, refused, slow, not_found))

    kinds = [(p.index, p.kind) for p in result.problems]
    assert kinds == [(1, "http_error"), (2, "blocked"), (3, "failed"), (4, "slow"), (5, "http_error")]
    assert result.problems[0].url.endswith("?token=REDACTED")  # the summary is sanitised too

    text = har.summary_text(result, "de")
    lines = text.splitlines()
    assert "6 Anfragen" in lines[0] and "4 fehlgeschlagen" in lines[0] and "1 langsam" in lines[0]
    assert "502 Bad Gateway · POST https://beratung.example-bank.de/api/calendar/sync?token=REDACTED" in text
    assert "blockiert (net::ERR_BLOCKED_BY_CLIENT)" in text
    assert "net::ERR_CONNECTION_REFUSED" in text
    assert "8.412 ms" in text  # German thousands separator
    assert text.index("404 Not Found") < text.index("8.412 ms")  # failures before slow ones
    assert "geheim1" not in text
    english = har.summary_text(result, "en")
    assert "6 requests" in english and "8,412 ms" in english


# --- bad input ------------------------------------------------------------------------------------

def _error_for(tmp_path, content: bytes | None = None, *, size: int | None = None, name="netz.har"):
    source = tmp_path / name
    if size is not None:
        with source.open("wb") as handle:
            handle.truncate(size)  # sparse: the size check must not read it
    else:
        source.write_bytes(content)
    target = tmp_path / "out.har"
    with pytest.raises(har.HarError) as caught:
        har.sanitise_har_file(source, target, name=name)
    assert not target.exists()  # nothing half-written is left behind
    return caught.value


def test_a_truncated_har_says_where_it_breaks_off(tmp_path):
    data = json.dumps(document(entry(), entry(), entry()), indent=2)
    starts = [m.start() for m in re.finditer('"startedDateTime"', data) if m.start() > data.index('"entries"')]
    cut = starts[2] + 40  # inside the third entry
    error = _error_for(tmp_path, data[:cut].encode())
    assert error.key == "console.har_truncated"
    message = error.message("de")
    assert "‚netz.har‘" in message and "unvollständig" in message and "2 vollständigen" in message
    assert "erneut" in message  # the next step


def test_a_file_that_is_not_json_is_refused_with_the_position(tmp_path):
    error = _error_for(tmp_path, b'{"log": {"version": "1.2",\n  "entries": [ nonsense ]}}')
    assert error.key == "console.har_broken_json"
    assert "Zeile 2" in error.message("de")


def test_a_web_page_saved_instead_of_a_har_is_named_as_such(tmp_path):
    error = _error_for(tmp_path, b"<!DOCTYPE html><html><body>Anmeldung</body></html>")
    assert error.key == "console.har_is_html"


@pytest.mark.parametrize("content", [b"[]", b'{"entries": []}', b'{"log": {"version": "1.2"}}',
                                     b'{"log": "x"}'])
def test_json_that_is_not_a_har_is_refused(tmp_path, content):
    assert _error_for(tmp_path, content).key == "console.har_not_har"


def test_a_broken_entry_is_named_by_number(tmp_path):
    data = document(entry(), {"request": {"method": "GET"}})
    error = _error_for(tmp_path, json.dumps(data).encode())
    assert error.key == "console.har_entry_broken" and error.params["number"] == 2


def test_binary_data_and_empty_files_are_refused(tmp_path):
    assert _error_for(tmp_path, bytes(range(256)) * 20).key == "console.har_not_text"
    assert _error_for(tmp_path, b"").key == "console.har_empty"


def test_a_200_mb_file_is_refused_before_it_is_read(tmp_path):
    error = _error_for(tmp_path, size=200 * 1024 * 1024)
    assert error.key == "console.har_too_large"
    assert "200 MB" in error.message("de") and "150 MB" in error.message("de")


def test_every_sensitive_name_contains_a_stem_the_body_prefilter_looks_for():
    """JSON bodies without any of the stems are not searched for keys: that shortcut must never
    skip a body that has a sensitive key."""
    import random
    from collections import Counter

    from capture_app.core.privacy import text_scrub as ts

    names = set(ts.SENSITIVE_WORDS) | set(ts.SENSITIVE_EXACT) | {
        "accessToken", "X-Api-Key", "php_sess_id", "client-secret", "auth_code", "pass_word",
        "Ocp-Apim-Subscription-Key", "private_key", "user_pin", "TAN", "SAMLResponse", "session-id",
        "refreshToken", "x-csrf-token", "ST", "Sig", "id_token", "one_time_code"}
    rng = random.Random(7)
    plain = ["user", "name", "id", "status", "page", "data", "items", "x", "client", "meeting"]
    words = sorted(ts.SENSITIVE_WORDS | ts.SENSITIVE_EXACT) + plain
    for _ in range(3000):
        parts = rng.sample(words, rng.randint(1, 3))
        separator = rng.choice(["_", "-", ".", ""])
        joined = separator.join(p.capitalize() if separator == "" and i else p for i, p in enumerate(parts))
        names.add(joined)
        names.add(joined.upper())
    checked = 0
    for name in names:
        if ts.is_sensitive_name(name):
            checked += 1
            lowered = f'"{name}":'.lower()
            assert any(stem in lowered for stem in ts._KEY_STEMS), name
    assert checked > 1000
    body = json.dumps({"items": [{"id": 1, "title": "Termin"}], "meta": {"PIN": "4711"}})
    assert "4711" not in ts.scrub_json_text(body, Counter())
