"""Console output from real browsers is parsed, grouped, ranked, cleaned and kept within a budget.

The fixtures in tests/fixtures/console/ were written by Chromium and Firefox themselves
(``generate.py`` there regenerates them) for a page that logs what a broken consultation logs.
"""
from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest

from capture_app.core.evidence import console_log as cl

FIXTURES = Path(__file__).parents[1] / "fixtures" / "console"


def load(name: str) -> cl.ParsedLog:
    return cl.parse((FIXTURES / name).read_text(encoding="utf-8"))


def by_headline(parsed: cl.ParsedLog, start: str) -> cl.ConsoleEntry:
    matches = [e for e in parsed.entries if e.headline.startswith(start)]
    assert len(matches) == 1, [e.headline for e in parsed.entries]
    return matches[0]


# --- Chrome / Edge ------------------------------------------------------------------------------

def test_chrome_save_as_log_is_split_into_located_entries():
    parsed = load("chrome-save-as.log")
    assert parsed.formats == {"chrome_save": parsed.raw_count}
    typeerror = by_headline(parsed, "Uncaught TypeError")
    assert (typeerror.level, typeerror.source, typeerror.line) == ("error", "app.js", 19)
    assert re.fullmatch(r"\d\d:\d\d:\d\d\.\d{3}", typeerror.time)
    # The stack lines belong to the exception, not to new entries.
    assert typeerror.message.splitlines()[1].strip().startswith("at attachStream (")
    assert "at joinRoom" in typeerror.message
    resource = by_headline(parsed, "Failed to load resource: the server responded with a status of 500")
    assert (resource.level, resource.source, resource.line) == ("error", "sign", 1)
    assert by_headline(parsed, "Access to fetch at").level == "error"  # CORS
    assert by_headline(parsed, "Beratungsraum wird geladen").level == "log"


def test_repeated_messages_are_grouped_with_their_count():
    parsed = load("chrome-save-as.log")
    ice = by_headline(parsed, "ICE-Verbindung fehlgeschlagen")
    assert ice.count == 5
    assert parsed.raw_count == len(parsed.entries) + 4


def test_errors_come_first_in_order_of_appearance():
    ranked = load("chrome-save-as.log").errors_first()
    levels = [e.level for e in ranked]
    assert levels == sorted(levels, key=cl.LEVELS.index)
    errors = [e for e in ranked if e.level == "error"]
    assert [e.first_index for e in errors] == sorted(e.first_index for e in errors)
    assert errors[0].headline.startswith("Failed to load resource")  # the broken logo came first


def test_chromium_log_file_keeps_page_messages_apart_from_browser_internals():
    parsed = load("chromium-stderr.log")
    assert parsed.formats["chromium_log"] > 20
    uncaught = by_headline(parsed, "Uncaught TypeError")
    assert uncaught.source.endswith("/app.js") and uncaught.line == 19
    assert uncaught.level == "error" and uncaught.origin == "page"
    assert re.fullmatch(r"\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}", uncaught.time)
    assert by_headline(parsed, "Kalender-Synchronisation gestartet").level == "info"
    dbus = [e for e in parsed.entries if "Failed to connect to the bus" in e.message]
    assert dbus and all(e.origin == "browser" and e.level == "error" for e in dbus)
    ranked = parsed.errors_first()
    page_errors = [i for i, e in enumerate(ranked) if e.level == "error" and e.origin == "page"]
    browser_errors = [i for i, e in enumerate(ranked) if e.level == "error" and e.origin == "browser"]
    assert max(page_errors) < min(browser_errors)
    assert parsed.count("error") == len([e for e in parsed.entries if e.level == "error" and e.origin == "page"]) + 4


# --- Firefox ----------------------------------------------------------------------------------

def test_firefox_export_joins_multi_line_messages_with_their_location():
    parsed = load("firefox-export.txt")
    assert parsed.formats["firefox_export"] >= 14
    uncaught = by_headline(parsed, "Uncaught TypeError")
    assert (uncaught.source, uncaught.line, uncaught.column) == ("app.js", 19, 31)
    assert "attachStream http://127.0.0.1:" in uncaught.message and "joinRoom" in uncaught.message
    rejection = by_headline(parsed, "Uncaught (in promise) Error: Dokument-Upload abgelehnt")
    assert (rejection.line, rejection.column, rejection.level) == (22, 16, "error")
    camera = by_headline(parsed, "Kamera: 1280×720")
    assert (camera.source, camera.line, camera.column) == ("app.js", 3, 9)
    assert by_headline(parsed, "Cross-Origin Request Blocked").level == "error"
    assert by_headline(parsed, "Firefox can’t establish a connection").level == "error"
    # Every line of the export ended up in exactly one entry.
    lines = (FIXTURES / "firefox-export.txt").read_text(encoding="utf-8").strip().splitlines()
    assert sum(e.message.count("\n") + 1 for e in parsed.entries) + 2 == len(lines)  # +2 location-only lines


def test_firefox_terminal_output_has_levels_and_readable_umlauts():
    parsed = load("firefox-stdout.log")
    assert by_headline(parsed, "Kamera: 1280×720").level == "warning"
    assert by_headline(parsed, "ICE-Server").level == "debug"
    assert by_headline(parsed, "Upload für e-Signatur").level == "error"
    assert by_headline(parsed, "Statusabfrage fehlgeschlagen: NetworkError").level == "error"
    ice = by_headline(parsed, "ICE-Verbindung fehlgeschlagen")
    assert ice.count == 5
    js_error = by_headline(parsed, "Error: Dokument-Upload abgelehnt: Datei zu groß")
    assert js_error.source.endswith("/app.js") and js_error.line == 22
    internals = [e for e in parsed.entries if e.headline.startswith("services.settings")]
    assert internals and all(e.origin == "browser" for e in internals)


def test_safari_copied_messages():
    # Safari's Web Inspector copies messages as "[Level] text (file, line N)".
    parsed = cl.parse("[Error] Failed to load resource: the server responded with a status of 404 () "
                      "(logo.png, line 0)\n"
                      "[Warning] Kamera nicht verfügbar (app.js, line 3)\n[Log] Beratungsraum geladen")
    levels = [(e.level, e.source, e.line) for e in parsed.entries]
    assert levels == [("error", "logo.png", 0), ("warning", "app.js", 3), ("log", "", None)]


# --- what leaves the machine ----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["chrome-save-as.log", "chromium-stderr.log", "firefox-stdout.log",
                                  "firefox-export.txt"])
def test_tokens_in_logged_urls_are_removed(name):
    raw = (FIXTURES / name).read_text(encoding="utf-8")
    assert "c2lnbmF0dXJlLXNlY3JldC0xMjM0" in raw  # the fixture logs a token
    parsed = cl.parse(raw)
    report = cl.render_report(parsed, "de").text
    assert "c2lnbmF0dXJlLXNlY3JldC0xMjM0" not in report
    assert "access_token=REDACTED&state=7f3a" in report
    assert parsed.removed["query_values"] >= 1


def test_the_report_lists_errors_first_and_then_the_log():
    parsed = load("chrome-save-as.log")
    text = cl.render_report(parsed, "de", source_name="konsole.log").text
    lines = text.splitlines()
    assert lines[0] == "Konsolenmeldungen – aufbereitet von Report Capture"
    assert "Quelle: konsole.log" in text
    important = text.index("== Fehler und Warnungen")
    log = text.index("== Protokoll")
    assert important < text.index("[FEHLER] 5× app.js:8  ICE-Verbindung") < log
    assert text.rstrip().endswith(
        "favicon.ico:1  Failed to load resource: the server responded with a status of 404 (Not Found)")
    english = cl.render_report(parsed, "en").text
    assert "[ERROR] 5× app.js:8" in english


def test_the_budget_keeps_every_error_and_the_end_of_a_long_log():
    lines = [f"app.js:{n} Routine-Meldung Nummer {n} mit etwas Text, der Platz braucht" for n in range(20000)]
    lines[1234] = "app.js:77 Uncaught TypeError: Cannot read properties of null (reading 'video')"
    lines[5000] = "app.js:88 [Violation] 'setTimeout' handler took 512ms"
    parsed = cl.parse("\n".join(lines))
    budget = 64 * 1024
    rendered = cl.render_report(parsed, "de", budget_bytes=budget)
    assert len(rendered.text.encode("utf-8")) <= budget
    assert "Cannot read properties of null (reading 'video')" in rendered.text
    assert "[WARNUNG]" in rendered.text and "took 512ms" in rendered.text
    assert rendered.text.rstrip().endswith("Routine-Meldung Nummer 19999 mit etwas Text, der Platz braucht")
    assert "Nummer 100 mit" not in rendered.text  # the middle of the log went
    assert rendered.omitted > 19000 and rendered.kept > 100
    assert f"{rendered.omitted} ältere Meldungen ausgelassen" in rendered.text


def test_a_single_huge_message_is_clipped():
    parsed = cl.parse("app.js:1 " + "x" * 100_000)
    assert len(parsed.entries[0].message) < cl.MAX_MESSAGE_CHARS + 10


def test_summary_names_counts_and_the_first_error():
    summary = cl.summary_text(load("chrome-save-as.log"), "de")
    assert summary.startswith("Konsole: 17 Fehler, 0 Warnungen (25 Meldungen, 21 verschiedene).")
    assert ("Erster Fehler: Failed to load resource: the server responded with a status of 404 "
            "(Not Found) (logo-fehlt.png:1)") in summary


# --- bad input -----------------------------------------------------------------------------------

def test_binary_garbage_pasted_as_text_is_refused():
    garbage = bytes(range(256)).decode("latin-1") * 40
    with pytest.raises(cl.ConsoleLogError) as caught:
        cl.check_text(garbage)
    assert caught.value.key == "console.binary_text"
    assert "Binärdaten" in caught.value.message("de")


def test_empty_paste_is_refused():
    with pytest.raises(cl.ConsoleLogError) as caught:
        cl.check_text("  \n\t ")
    assert caught.value.key == "console.empty_text"


def test_a_200_mb_log_is_refused_before_reading(tmp_path):
    big = tmp_path / "chrome_debug.log"
    with big.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)
    with pytest.raises(cl.ConsoleLogError) as caught:
        cl.read_file(big)
    assert caught.value.key == "console.too_large_file"
    message = caught.value.message("de")
    assert "‚chrome_debug.log‘" in message and "200 MB" in message and "50 MB" in message


def test_a_binary_file_is_refused(tmp_path):
    path = tmp_path / "konsole.log"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)
    with pytest.raises(cl.ConsoleLogError) as caught:
        cl.read_file(path)
    assert caught.value.key == "console.binary_file"


@pytest.mark.parametrize("encoding, bom", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-8", codecs.BOM_UTF8),
                                           ("cp1252", b"")])
def test_files_in_windows_encodings_are_read(tmp_path, encoding, bom):
    path = tmp_path / "konsole.txt"
    path.write_bytes(bom + "app.js:3 Übertragung für Müller fehlgeschlagen\n".encode(encoding))
    parsed = cl.parse(cl.read_file(path))
    assert parsed.entries[0].headline == "Übertragung für Müller fehlgeschlagen"
    assert parsed.entries[0].level == "error"


@pytest.mark.parametrize("line, secret", [
    ("xhr.js:20 Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0NzExIn0.S1gnatur3Geheim", "S1gnatur3Geheim"),
    ("api.js:4 POST https://m.muster:Passw0rt!@beratung.example-bank.de/login failed", "Passw0rt!"),
    ("app.js:9 Login-Formular: {\"user\":\"m.muster\",\"passwort\":\"Sommer2026!\"}", "Sommer2026!"),
    ("app.js:9 redirect to /cb?code=4f1c9e77aa&state=x", "4f1c9e77aa"),
    ("net.js:3 Set-Cookie: PHPSESSID=9a8b7c6d5e4f; path=/", "9a8b7c6d5e4f"),
    ("auth.js:2 Basic dXNlcjpnZWhlaW0xMjM=", "dXNlcjpnZWhlaW0xMjM="),
])
def test_secrets_in_pasted_console_text_are_removed(line, secret):
    parsed = cl.parse(line)
    assert secret not in cl.render_report(parsed, "de").text
    assert sum(parsed.removed.values()) >= 1


def test_ordinary_words_near_secret_words_stay():
    text = "app.js:1 error_code=E42 countryCode=DE Basic authentication required; Token erneuert"
    rendered = cl.render_report(cl.parse(text), "de").text
    assert "error_code=E42 countryCode=DE Basic authentication required; Token erneuert" in rendered
