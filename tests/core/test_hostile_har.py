"""HAR files built to hurt: personal data, deep nesting, broken Unicode, absurd numbers,
unterminated constructs, archives in disguise, killed runs, files too large to attach."""
from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from urllib.parse import quote, unquote, unquote_plus

import pytest

from capture_app.core.evidence import har
from capture_app.core.platform.errors import UserFacingError
from capture_app.core.platform.fsutil import remove_killed_run_leftovers
from capture_app.core.privacy import pii
from tests.core.test_har import document, entry, sanitise

EMAIL = "erika.mustermann@example-kundin.de"
IBAN = "DE89 3704 0044 0532 0130 00"
PHONE = "+49 30 12345678"


def no_personal_data(text: str) -> list[str]:
    """Findings in the text, in its percent-decoded forms and in its JSON-decoded strings."""
    found = []
    for form in (text, unquote(text), unquote_plus(text)):
        found += [m.text for m in pii.find_pii(form)]
    for needle in (EMAIL, IBAN, IBAN.replace(" ", ""), PHONE, "12345678", "0532 0130"):
        if needle in text or needle in unquote_plus(text):
            found.append(needle)
    return found


def test_personal_data_in_bodies_urls_queries_and_headers_is_masked_and_counted():
    body = json.dumps({"kundin": {"email": EMAIL, "iban": IBAN, "telefon": PHONE}})
    url = (f"https://beratung.example-bank.de/api/kunden?email={quote(EMAIL, safe='')}"
           f"&tel={quote(PHONE)}&page=2")
    e = entry(url=url)
    e["request"]["queryString"] = [{"name": "email", "value": EMAIL}, {"name": "tel", "value": PHONE}]
    e["request"]["headers"].append({"name": "X-Kunde", "value": f"Erika <{EMAIL}>"})
    e["request"]["headers"].append({"name": "Referer",
                                    "value": f"https://beratung.example-bank.de/k/{quote(EMAIL)}"})
    e["request"]["cookies"] = [{"name": "kunde", "value": EMAIL}]
    e["response"]["content"]["text"] = body
    e["response"]["content"]["size"] = len(body)
    e["request"]["postData"] = {"mimeType": "application/x-www-form-urlencoded",
                                "text": f"iban={quote(IBAN)}&name=Erika"}
    out, result = sanitise(document(e))
    json.loads(out)
    assert no_personal_data(out) == []
    clean = json.loads(out)["log"]["entries"][0]
    assert json.loads(clean["response"]["content"]["text"])["kundin"]["email"] == pii.MASKS[pii.EMAIL]
    assert result.removed["emails"] >= 5 and result.removed["ibans"] >= 2 and result.removed["phones"] >= 2
    summary = har.summary_text(result, "de")
    assert "E-Mail-Adresse" in summary and "IBAN" in summary and "Telefonnummer" in summary
    assert "e-mail address" in har.summary_text(result, "en")


def test_personal_data_after_a_json_escape_is_masked_too():
    body = '{"notiz": "Bitte zurückrufen:\\n' + PHONE + '\\nIBAN:\\n' + IBAN.replace(" ", "") + '"}'
    e = entry()
    e["response"]["content"]["text"] = body
    out, _ = sanitise(document(e))
    assert no_personal_data(out) == []
    text = json.loads(out)["log"]["entries"][0]["response"]["content"]["text"]
    assert json.loads(text)["notiz"] == "Bitte zurückrufen:\n[TELEFON]\nIBAN:\n[IBAN]"


def _nested(depth: int, inner) -> object:
    value = inner
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("depth", [500, 900, 990, 5000, 100_000])
def test_deep_nesting_is_cleaned_at_any_depth_or_named(depth):
    e = entry()
    e["_initiator"] = "@@NEST@@"
    text = json.dumps(document(e)).replace('"@@NEST@@"', "[" * depth + '{"password": "GEHEIM-123"}'
                                            + "]" * depth)
    try:
        out, _ = sanitise(text)
    except har.HarError as exc:
        assert exc.key == "console.har_too_deep"
        assert "verschachtelt" in exc.message("de")
        return
    assert "GEHEIM-123" not in out
    json.loads(out)


@pytest.mark.parametrize("depth", [900, 990, 3000])
def test_a_deeply_nested_json_body_loses_its_secrets(depth):
    body = "[" * depth + '{"credentials": {"user": "a", "pw": "GEHEIM-456"}}' + "]" * depth
    e = entry()
    e["response"]["content"]["text"] = body
    out, _ = sanitise(document(e))
    assert "GEHEIM-456" not in out


def test_a_lone_surrogate_becomes_a_replacement_character(tmp_path):
    source = tmp_path / "netz.har"
    text = json.dumps(document(entry())).replace('{\\"status\\":\\"ok\\"}', 'ok \\ud83d fertig')
    assert "\\ud83d" in text
    source.write_text(text, encoding="utf-8")
    target = tmp_path / "clean.har"
    har.sanitise_har_file(source, target)
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["log"]["entries"][0]["response"]["content"]["text"] == "ok \ufffd fertig"


@pytest.mark.parametrize("literal", ["1e999", "-1e999", "NaN", "Infinity", "-Infinity"])
def test_numbers_no_json_reader_accepts_are_never_written(literal):
    e = entry()
    e["time"] = "@@T@@"
    e["timings"]["wait"] = "@@T@@"
    e["_custom"] = {"x": "@@T@@"}
    text = json.dumps(document(e)).replace('"@@T@@"', literal)
    out, _ = sanitise(text)
    for bad in ("Infinity", "NaN"):
        assert bad not in out
    json.loads(out, parse_constant=lambda name: pytest.fail(f"{name} written"))


@pytest.mark.parametrize("status", ["1e999", 1e308, "NaN", "-1e999"])
def test_an_absurd_status_is_no_crash(status):
    e = entry()
    e["response"]["status"] = "@@S@@"
    text = json.dumps(document(e)).replace('"@@S@@"', json.dumps(status) if isinstance(status, str)
                                            else repr(status))
    out, _ = sanitise(text)
    assert isinstance(json.loads(out)["log"]["entries"][0]["response"]["status"], int)


@pytest.mark.timeout(60)
def test_a_body_of_newlines_is_read_in_linear_time():
    e = entry()
    e["response"]["content"] = {"size": 0, "mimeType": "text/plain", "text": "\n" * 400_000 + "x"}
    out, _ = sanitise(document(e))
    assert json.loads(out)["log"]["entries"][0]["response"]["content"]["text"].endswith("x")


@pytest.mark.timeout(60)
def test_a_multipart_body_without_its_closing_boundary_is_read_in_linear_time():
    part = '--b\r\nContent-Disposition: form-data; name="f"\r\n\r\n' + "x" * 30 + "\r\n"
    body = part * 40_000 + '--b\r\nContent-Disposition: form-data; name="token"\r\n\r\nGEHEIM-789'
    e = entry()
    e["request"]["postData"] = {"mimeType": "multipart/form-data; boundary=b", "text": body}
    out, _ = sanitise(document(e))
    assert "GEHEIM-789" not in out


@pytest.mark.parametrize("kind,data", [
    ("ZIP", None),
    ("GZIP", gzip.compress(json.dumps(document(entry())).encode())),
])
def test_an_archive_renamed_har_is_named_as_an_archive(tmp_path, kind, data):
    if data is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("netz.har", json.dumps(document(entry())))
        data = buffer.getvalue()
    source = tmp_path / "netz.har"
    source.write_bytes(data)
    with pytest.raises(har.HarError) as caught:
        har.sanitise_har_file(source, tmp_path / "out.har")
    assert caught.value.key == "console.har_archive"
    assert kind in caught.value.message("de") and "entpacken" in caught.value.message("de")


def test_a_killed_run_leaves_no_partial_output_and_the_next_start_removes_its_folder(tmp_path):
    entries = [entry(url=f"https://x.example/api/{n}") for n in range(30_000)]
    source = tmp_path / "gross.har"
    source.write_text(json.dumps(document(*entries)), encoding="utf-8")
    temp = tmp_path / "temp"
    work = temp / "report-capture-har-k1ll"  # the import's own work folder (ui/evidence/console_import.py)
    work.mkdir(parents=True)
    target = work / "clean.har"
    script = ("import sys; from capture_app.core.evidence import har\n"
              "def progress(done, total):\n"
              "    print('started', flush=True); import time; time.sleep(60)\n"
              f"har.sanitise_har_file({str(source)!r}, {str(target)!r}, progress=progress)\n")
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).parents[2])
    try:
        assert child.stdout.readline().strip() == "started"
        child.kill()
    finally:
        child.wait(30)
    assert not target.exists()
    [partial] = list(work.iterdir())
    assert partial.name.startswith(".clean.har.") and partial.name.endswith(".tmp")
    old = time.time() - 3 * 3600
    os.utime(work, (old, old))
    assert remove_killed_run_leftovers(tmp_path / "outbox", [], temp) == 1
    assert not work.exists()


def test_a_har_too_large_to_attach_is_offered_without_response_bodies(tmp_path):
    big = json.dumps({"rows": [{"n": n, "text": "Zeile " * 20} for n in range(200)]})
    entries = [entry(url=f"https://x.example/api/{n}") for n in range(40)]
    for e in entries:
        e["response"]["content"]["text"] = big
    source = tmp_path / "netz.har"
    source.write_text(json.dumps(document(*entries)), encoding="utf-8")
    full = har.sanitise_har_file(source, tmp_path / "full.har")
    limit = (tmp_path / "full.har").stat().st_size // 3
    plan = har.plan_to_fit(source, limit)
    assert plan.without_response_bodies and plan.left_out == 0
    assert plan.entries_kept == full.entries == 40
    message = plan.offer_text("de", size=(tmp_path / "full.har").stat().st_size, limit=limit)
    assert "Ohne Antwortinhalte" in message and "alle 40 Einträge" in message
    assert "Bildausschnitt" not in message
    fitted = har.sanitise_har_file(source, tmp_path / "fit.har", plan.options())
    assert (tmp_path / "fit.har").stat().st_size <= limit and fitted.entries == 40


def test_a_har_too_large_even_without_bodies_leaves_out_its_largest_entries(tmp_path):
    entries = [entry(url=f"https://x.example/api/{n}") for n in range(50)]
    for n in (3, 17, 30):
        entries[n]["request"]["url"] += "&q=" + "x" * 20_000
    source = tmp_path / "netz.har"
    source.write_text(json.dumps(document(*entries)), encoding="utf-8")
    limit = 40_000
    plan = har.plan_to_fit(source, limit)
    assert plan.without_response_bodies and plan.left_out == 3 and plan.entries_kept == 47
    message = plan.offer_text("de", size=90_000, limit=limit)
    assert "47 von 50 Einträgen" in message
    assert "47 of 50 entries" in plan.offer_text("en", size=90_000, limit=limit)
    result = har.sanitise_har_file(source, tmp_path / "fit.har", plan.options())
    clean = json.loads((tmp_path / "fit.har").read_text(encoding="utf-8"))
    assert result.entries == 47 and len(clean["log"]["entries"]) == 47
    assert (tmp_path / "fit.har").stat().st_size <= limit
    assert all(len(e["request"]["url"]) < 1000 for e in clean["log"]["entries"])


def test_a_har_that_cannot_fit_at_all_says_so(tmp_path):
    source = tmp_path / "netz.har"
    source.write_text(json.dumps(document(entry())), encoding="utf-8")
    with pytest.raises(har.HarError) as caught:
        har.plan_to_fit(source, 10)
    assert caught.value.key == "console.har_cannot_fit"
    assert isinstance(caught.value, UserFacingError)
