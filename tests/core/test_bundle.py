"""The bundle a support person receives, the Review list, the texts, and the export transport."""
from __future__ import annotations

import copy
import hashlib
import html
import importlib.util
import json
import os
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import jsonschema
import pytest
from permissions import needs_permissions

from capture_app import __version__
from capture_app.core.platform.i18n import catalogue, placeholders
from capture_app.core.platform.resources import load_json
from capture_app.core.report.model import Report
from capture_app.core.sending import bundle as bundle_mod
from capture_app.core.sending.bundle import BundleError, build_bundle, review_items
from capture_app.core.sending.render import render_html, render_text
from capture_app.core.sending.transports import PermanentTransportError, Receipt
from capture_app.core.sending.transports.export import ExportTransport

FIXTURES = Path(__file__).parent / "fixtures"
BUILT_AT = datetime(2026, 11, 27, 9, 45, tzinfo=timezone.utc)


def load_fixture_module(name: str):
    spec = importlib.util.spec_from_file_location(f"fixtures_{name}", FIXTURES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


filled = load_fixture_module("filled")


@pytest.fixture
def full():
    report, sources = filled.filled_report()
    return report, (lambda item: sources[item.id])


@pytest.fixture
def built(full, tmp_path):
    report, locate = full
    info = build_bundle(report, locate, tmp_path / "out" / "bundle.zip", app_version=__version__,
                        language="de", now=BUILT_AT)
    with zipfile.ZipFile(info.path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
        infos = {i.filename: i for i in archive.infolist()}
    return report, info, files, infos


def test_the_manifest_lists_every_other_file_with_its_true_size_and_hash(built):
    report, _info, files, _ = built
    manifest = json.loads(files["manifest.json"])
    assert {k: manifest[k] for k in ("schema_version", "report_id", "app_version", "created_at",
                                     "language")} == {
        "schema_version": 1, "report_id": report.id, "app_version": __version__,
        "created_at": "2026-11-27T09:45:00+00:00", "language": "de"}
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json"}
    for name, entry in listed.items():
        assert entry["size"] == len(files[name]), name
        assert entry["sha256"] == hashlib.sha256(files[name]).hexdigest(), name
    assert listed["screenshots/kalender.png"]["media_type"] == "image/png"
    assert listed["report.html"]["media_type"] == "text/html"


def test_the_bundle_has_the_documented_layout(built):
    _, _, files, _ = built
    assert {"manifest.json", "report.json", "report.html", "report.txt",
            "screenshots/kalender.png", "console/console.log", "network/network.har",
            "documents/vertrag.pdf", "other/notizen.txt", "system/system-info.json"} <= set(files)
    assert files["screenshots/kalender.png"] == (FIXTURES / "screenshot.png").read_bytes()
    assert files["documents/vertrag.pdf"] == (FIXTURES / "vertrag.pdf").read_bytes()


def test_bundle_info_matches_the_zip(built):
    _, info, files, _ = built
    assert [e.name for e in info.entries] == list(files)
    assert all(e.sha256 == hashlib.sha256(files[e.name]).hexdigest() for e in info.entries)
    assert info.total_size == sum(len(data) for data in files.values())
    assert info.zip_size == info.path.stat().st_size
    assert info.zip_sha256 == hashlib.sha256(info.path.read_bytes()).hexdigest()


def test_report_json_validates_and_is_the_report_without_what_was_excluded(built):
    report, _, files, _ = built
    sent = json.loads(files["report.json"])
    schema = load_json("report.schema.json")
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(sent)

    expected = copy.deepcopy(report.to_dict())
    expected["evidence"] = [item for item in expected["evidence"] if not item["excluded"]]
    del expected["system"]["values"]["hostname"]
    # Names are the ones inside the zip; everything else is what the agent entered.
    for item in expected["evidence"]:
        item["filename"] = next(e["filename"] for e in sent["evidence"] if e["id"] == item["id"])
    assert sent == expected
    for item in sent["evidence"]:
        folder = bundle_mod.FOLDERS[item["kind"]]
        assert f"{folder}/{item['filename']}" in files


def test_nothing_excluded_leaves_the_machine(built):
    _, _, files, _ = built
    assert not any("AUSGESCHLOSSEN" in name for name in files)
    for name, data in files.items():
        assert b"AUSGESCHLOSSEN" not in data, name
        assert b"GEHEIM-HOST-4711" not in data, name  # the excluded system field's value
    assert json.loads(files["system/system-info.json"]) == {"os": "Windows 11 23H2",
                                                            "screen": "1920x1080"}


def test_names_inside_the_zip_are_safe(built):
    _, _, files, _infos = built
    for name in files:
        folder, _, base = name.rpartition("/")
        assert not name.startswith(("/", "\\")) and ":" not in name
        assert ".." not in name and "\\" not in name and "\x00" not in name
        assert "\u202e" not in name
        assert folder in ("", "screenshots", "console", "network", "documents", "other", "system")
        assert 0 < len(base) <= 130
    screenshots = sorted(n for n in files if n.startswith("screenshots/"))
    assert screenshots == ["screenshots/a_b.png", "screenshots/kalender.png", "screenshots/passwd.png"]
    # The RTL name keeps its real extension visible and gets one matching its content.
    assert "other/rechnunggnp.exe.txt" in files
    long_name = next(n for n in files if n.startswith("other/xxxx"))
    assert long_name.endswith(".log") and len(long_name.split("/")[1]) <= 120


def test_screenshots_are_stored_and_text_is_deflated(built):
    _, _, _, infos = built
    assert infos["screenshots/kalender.png"].compress_type == zipfile.ZIP_STORED
    for name in ("report.json", "report.html", "report.txt", "console/console.log", "manifest.json"):
        assert infos[name].compress_type == zipfile.ZIP_DEFLATED, name
    assert infos["report.txt"].date_time == (2026, 11, 27, 10, 45, 0)  # agent's local time


def filled_values(report: Report) -> list[str]:
    """Every piece of free text the agent filled in (enum codes are checked translated)."""
    values = [report.summary, *vars(report.reporter).values(), report.triage.escalation_reason,
              report.flexperto_instance, report.meeting_reference, report.occurred.timezone,
              report.occurred.note, report.agent_timezone]
    d = report.description
    values += [d.affected_name, d.area, d.url, d.what, d.expected, d.actual,
               *d.case_fields.values(), *d.steps.splitlines()]
    for env in (report.advisor_environment, report.customer_environment):
        values += [env.os, env.os_version, env.browser, env.browser_version, env.user_agent, env.notes]
    values += [item.title for item in report.included_evidence()]
    values += [v for k, v in report.system.values.items() if k not in report.system.excluded]
    return [v for v in values if v]


def test_report_html_shows_every_filled_value_labelled_and_translated(built):
    report, _, files, _ = built
    page = files["report.html"].decode("utf-8")
    text = html.unescape(page)
    for value in filled_values(report):
        assert value in text, value
    for label in ("Dringlichkeit", "Betroffen", "Häufigkeit", "Umgebung auf Berater-Seite",
                  "Umgebung auf Kunden-Seite", "Kalendersystem (z. B. Outlook/Exchange, Google)",
                  "Browser-Version", "Zeitpunkt des Fehlers"):
        assert label in text, label
    for translated in ("hoch", "Berater und Kunde", "immer", "mehrere Personen", "Laptop", "Tablet",
                       "2nd-Level-Support Flexperto", "Kalender-Synchronisation fehlt",
                       "ungefährer Zeitraum", "automatisch auf diesem Rechner ermittelt"):
        assert translated in text, translated
    # The window in the zone the agent entered it in, zone named.
    assert "27.11.2026, 09:00 Uhr (Europe/Berlin, UTC+01:00)" in text
    assert "27.11.2026, 10:00 Uhr (Europe/Berlin, UTC+01:00)" in text


def test_report_html_is_self_contained_and_script_free(built):
    _, _, files, _ = built
    page = files["report.html"].decode("utf-8")
    # The screenshot is referenced beside the page, not copied into it a second time.
    assert 'src="screenshots/kalender.png"' in page and "screenshots/kalender.png" in files
    assert "base64," not in page
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "x=1&amp;y=&lt;b&gt;" in page
    for reference in ("http://", "https://", "//"):
        for attribute in ("src=", "href="):
            assert f'{attribute}"{reference}' not in page
    assert "@import" not in page and "url(" not in page
    assert "Content-Security-Policy" in page


def test_report_txt_is_the_readable_email_body(built):
    report, _, files, _ = built
    body = files["report.txt"].decode("utf-8")
    assert body.startswith("Problembericht: Kalendertermine erscheinen nicht")
    for value in filled_values(report):
        assert value in body, value
    assert "Dringlichkeit: hoch" in body
    assert "Von: 27.11.2026, 09:00 Uhr (Europe/Berlin, UTC+01:00)" in body
    assert "Betroffene Nutzer: mehrere Personen" in body
    assert "hostname" in body  # named as withheld ...
    assert "GEHEIM-HOST-4711" not in body  # ... but its value is not sent


def test_the_english_text_uses_english_labels_and_values(full):
    report, _ = full
    body = render_text(report, "en")
    assert "Urgency: high" in body and "Affected: Advisor and customer" in body
    assert "From: 2026-11-27 09:00 (Europe/Berlin, UTC+01:00)" in body
    assert "Calendar synchronisation missing (calendar_sync_missing)" in body


def test_html_escapes_user_text_everywhere():
    report = Report.new(agent_timezone="Europe/Berlin")
    report.summary = "<script>alert(1)</script>"
    report.description.what = '"><img src=x onerror=alert(1)>'
    report.reporter.name = "<b>Eve</b>"
    page = render_html(report, "de", {})
    assert "<script" not in page.lower()
    assert "<img src=x" not in page and "<b>Eve" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- failures leave nothing behind ----------------------------------------------------------

def test_an_evidence_file_changed_since_import_stops_the_build(tmp_path):
    report, sources = filled.filled_report()
    console = next(item for item in report.evidence if item.kind == "console")
    sources[console.id] = tmp_path / "changed.log"
    sources[console.id].write_text("nachträglich geändert\n", encoding="utf-8")
    out = tmp_path / "bundle.zip"
    out.write_bytes(b"previous export")
    with pytest.raises(BundleError) as caught:
        build_bundle(report, lambda item: sources[item.id], out, app_version="1", language="de")
    assert caught.value.message().startswith(
        "Die Belegdatei ‚console.log‘ hat sich seit dem Hinzufügen verändert")
    assert out.read_bytes() == b"previous export"  # never half-overwritten
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle.zip", "changed.log"]


def test_a_missing_evidence_file_stops_the_build_with_its_name(full, tmp_path):
    report, locate = full
    with pytest.raises(BundleError) as caught:
        build_bundle(report, lambda item: tmp_path / "weg" if item.kind == "network" else locate(item),
                     tmp_path / "b.zip", app_version="1", language="de")
    assert caught.value.message().startswith(
        "Die Belegdatei ‚network.har‘ ist im Entwurf nicht mehr vorhanden.")
    assert list(tmp_path.iterdir()) == []


def test_an_unconfirmed_document_is_not_bundled(full, tmp_path):
    report, locate = full
    next(i for i in report.evidence if i.filename == "vertrag.pdf").no_personal_data_confirmed = False
    with pytest.raises(BundleError) as caught:
        build_bundle(report, locate, tmp_path / "b.zip", app_version="1", language="de")
    assert caught.value.key == "bundle.document_not_confirmed"
    assert "‚vertrag.pdf‘" in caught.value.message()


# --- Review ---------------------------------------------------------------------------------

def test_review_lists_everything_in_sending_order_with_the_sizes_of_the_bundle(full, built):
    report, locate = full
    _, info, files, _ = built
    review = review_items(report, locate, "de", app_version=__version__)
    keys = [item.key for item in review]
    assert keys[:3] == ["report_text", "report_json", "report_html"]
    assert keys[3:3 + len(report.evidence)] == [f"evidence:{i.id}" for i in report.evidence]
    assert keys[-2:] == ["system_info", "manifest"]
    excluded = [item for item in review if item.excluded]
    assert [item.title for item in excluded] == ["AUSGESCHLOSSEN Kundenakte"]
    assert excluded[0].size == (FIXTURES / "vertrag.pdf").stat().st_size
    sizes = {item.name: item.size for item in review if not item.excluded}
    for name, data in files.items():
        if name != "manifest.json":  # its timestamp is taken when the bundle is built
            assert sizes[name] == len(data), name
    assert abs(review.total_size - info.total_size) <= 2
    assert review[0].title == "Berichtstext (Text der E-Mail)"
    assert review.problems == []


def test_review_flags_what_would_stop_sending(full):
    report, locate = full
    next(i for i in report.evidence if i.filename == "vertrag.pdf").no_personal_data_confirmed = False
    problems = review_items(report, locate, "de").problems
    assert [p.problem_key for p in problems] == ["bundle.document_not_confirmed"]
    assert problems[0].problem.startswith("Für das Dokument ‚vertrag.pdf‘ fehlt die Bestätigung")


# --- export transport -----------------------------------------------------------------------

def test_export_copies_the_bundle_under_a_readable_name_and_never_overwrites(built, tmp_path):
    report, info, _, _ = built
    folder = tmp_path / "USB-Stick"
    folder.mkdir()
    progress = []
    clock = lambda: datetime(2026, 11, 28, 8, 0, tzinfo=timezone.utc)  # noqa: E731
    transport = ExportTransport(folder, clock=clock)
    first = transport.send(info.path, report, lambda done, total: progress.append((done, total)))
    second = transport.send(info.path, report)

    short = report.id.replace("-", "")[:8]
    assert first.reference == f"Problembericht-2026-11-27-{short}.zip"
    assert second.reference == f"Problembericht-2026-11-27-{short} (2).zip"
    assert (folder / first.reference).read_bytes() == info.path.read_bytes()
    assert first == Receipt("export", str(folder), "2026-11-28T08:00:00+00:00", first.reference,
                            info.zip_sha256, info.zip_size)
    assert progress[-1] == (info.zip_size, info.zip_size)
    assert sorted(p.name for p in folder.iterdir()) == sorted([first.reference, second.reference])
    assert Receipt.from_dict(first.to_dict()) == first


def test_export_to_a_missing_folder_says_which_and_what_to_do(built, tmp_path):
    report, info, _, _ = built
    with pytest.raises(PermanentTransportError) as caught:
        ExportTransport(tmp_path / "Laufwerk-E").send(info.path, report)
    assert caught.value.message() == (
        f"Der Ordner „{tmp_path / 'Laufwerk-E'}“ existiert nicht (mehr). Ist ein USB-Stick oder "
        "Netzlaufwerk getrennt? Verbinden Sie es wieder oder wählen Sie einen anderen Ordner für "
        "den Export.")


def test_export_to_a_file_instead_of_a_folder_is_refused(built, tmp_path):
    report, info, _, _ = built
    target = tmp_path / "datei.txt"
    target.write_text("x")
    with pytest.raises(PermanentTransportError) as caught:
        ExportTransport(target).send(info.path, report)
    assert caught.value.key == "bundle.export.not_a_folder"


@needs_permissions
def test_export_to_a_read_only_folder_is_refused(built, tmp_path):
    report, info, _, _ = built
    folder = tmp_path / "nur-lesen"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(PermanentTransportError) as caught:
            ExportTransport(folder).send(info.path, report)
        assert caught.value.key == "bundle.export.not_writable"
    finally:
        folder.chmod(0o700)


def test_export_to_a_full_disk_is_refused_before_writing(built, tmp_path, monkeypatch):
    report, info, _, _ = built
    folder = tmp_path / "voll"
    folder.mkdir()
    usage = type("Usage", (), {"total": 10, "used": 10, "free": 10})()
    monkeypatch.setattr("capture_app.core.sending.transports.export.shutil.disk_usage", lambda path: usage)
    with pytest.raises(PermanentTransportError) as caught:
        ExportTransport(folder).send(info.path, report)
    assert caught.value.message().startswith(f"Im Ordner „{folder}“ ist nicht genug Platz frei; "
                                             "das Paket braucht 1 MB.")
    assert list(folder.iterdir()) == []


# --- texts ----------------------------------------------------------------------------------

@pytest.mark.parametrize("area", ["bundle.", "evidence."])
def test_german_and_english_texts_have_the_same_keys_and_placeholders(area):
    de = {k: v for k, v in catalogue("de").items() if k.startswith(area)}
    en = {k: v for k, v in catalogue("en").items() if k.startswith(area)}
    assert set(de) == set(en)
    for key in de:
        assert placeholders(de[key]) == placeholders(en[key]), key


# --- readable for the support person (report.txt and report.html) ----------------------------------


def test_the_summary_is_not_labelled_twice(built):
    _, _, files, _ = built
    body = files["report.txt"].decode("utf-8")
    assert "Zusammenfassung: Zusammenfassung" not in body
    assert "Zusammenfassung\n---------------\nZusammenfassung:" not in body
    assert "\nZusammenfassung\n---------------\nKalendertermine erscheinen nicht" in body


def test_the_triage_history_reads_as_sentences_not_as_raw_data():
    from capture_app.core.triage import path as triage_path
    from capture_app.core.triage.catalogue import builtin_catalogue

    report = Report.new(agent_timezone="Europe/Berlin")
    moment = datetime(2026, 11, 27, 8, 5, tzinfo=timezone.utc)
    case = builtin_catalogue().get("other_technical")
    triage_path.record_search(report, "video bricht ab", [case.id], now=moment)
    triage_path.record_case(report, case, language="de", via="search", rank=1, now=moment)
    body = render_text(report, "de")
    assert "step:" not in body and "at: 2026" not in body and "+00:00" not in body
    assert "09:05" in body  # the agent's local time
    assert "„video bricht ab“" in body
    assert case.title_in("de") in body


def test_a_pasted_user_agent_is_named_as_the_source(full):
    report, _ = full
    body = render_text(report, "de")
    customer = body.split("Umgebung auf Kunden-Seite", 1)[1]
    assert "von Hand eingegeben" not in customer.split("\n\n", 1)[0]
    assert "aus dem eingefügten User-Agent" in customer.split("\n\n", 1)[0]


def test_a_console_log_is_described_once(full):
    report, _ = full
    [console] = [item for item in report.evidence if item.kind == "console"]
    console.title = "Konsolenmeldungen (Chrome, eingefügt)"
    console.summary = "Konsole: 2 Fehler, 1 Warnungen (3 Meldungen, 3 verschiedene)."
    body = render_text(report, "de")
    line = next(text for text in body.splitlines() if "console.log" in text)
    assert "Konsolenmeldungen" not in line


def test_the_screenshots_come_right_after_the_description_in_report_html(built):
    _, _, files, _ = built
    page = files["report.html"].decode("utf-8")
    assert page.index('class="images"') < page.index('class="occurred"')
    assert page.index('class="description"') < page.index('class="images"')


def test_a_bundle_is_hardly_larger_than_its_content(tmp_path):
    """A big screenshot is in the bundle once: bundle size / content size <= 1.02."""
    from capture_app.core.evidence import png as png_codec
    from capture_app.core.report.model import EvidenceItem

    report = Report.new(agent_timezone="Europe/Berlin")
    report.summary = "Bildschirm voller Rauschen"
    width = height = 1400  # noise: a PNG that does not compress, the worst case
    png = png_codec.encode(width, height, os.urandom(width * height * 3))
    path = tmp_path / "gross.png"
    path.write_bytes(png)
    item = EvidenceItem(id="0b0c6d3e-1111-4222-8333-444455556666", kind="screenshot",
                        filename="gross.png", media_type="image/png", size=len(png),
                        sha256=hashlib.sha256(png).hexdigest(), original_name="gross.png",
                        title="gross.png", added_at="2026-11-27T09:20:00+00:00")
    report.evidence.append(item)
    info = build_bundle(report, lambda _item: path, tmp_path / "b.zip", app_version=__version__,
                        language="de", now=BUILT_AT)
    content = len(png)
    assert info.path.stat().st_size / content <= 1.02
