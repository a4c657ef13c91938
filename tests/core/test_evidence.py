"""Importing evidence files: what an agent sees when a file is accepted or refused."""
from __future__ import annotations

import copy
import hashlib
import io
import shutil
import struct
import time
import tracemalloc
import uuid
import zipfile
import zlib
from datetime import datetime, timezone
from pathlib import Path

import pytest

from capture_app.core.evidence import filetypes as ft
from capture_app.core.evidence.importing import (
    EvidenceError,
    ImportLimits,
    check_import,
    evidence_filename,
    import_evidence,
)
from capture_app.core.report.model import Report

FIXTURES = Path(__file__).parent / "fixtures"
MB = 1024 * 1024
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc)


class Store:
    """Copies attachments like DraftStore.store_attachment and remembers the calls."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.calls: list[tuple[str, str, Path]] = []

    def __call__(self, report_id: str, item_id: str, source: Path) -> tuple[int, str]:
        self.calls.append((report_id, item_id, source))
        target = self.folder / report_id / item_id
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        data = target.read_bytes()
        return len(data), hashlib.sha256(data).hexdigest()


@pytest.fixture
def report() -> Report:
    return Report.new(now=datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc),
                      agent_timezone="Europe/Berlin")


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "attachments")


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr
            + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr)))


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", b"MZ" + b"\x00" * 100)
    return buffer.getvalue()


def refused(report: Report, path: Path, kind: str, store: Store, **kwargs) -> EvidenceError:
    """Import that must fail: returns the error after checking nothing changed or was stored."""
    before = copy.deepcopy(report.to_dict())
    with pytest.raises(EvidenceError) as caught:
        import_evidence(report, path, kind, store, now=NOW, **kwargs)
    assert report.to_dict() == before
    assert store.calls == []
    return caught.value


# --- accepted files -------------------------------------------------------------------------

@pytest.mark.parametrize("fixture, kind, media_type", [
    ("screenshot.png", "screenshot", "image/png"),
    ("console.log", "console", "text/plain"),
    ("network.har", "network", "application/json"),
    ("vertrag.pdf", "document", "application/pdf"),
    ("vertrag.pdf", "other", "application/pdf"),
])
def test_an_accepted_file_becomes_an_evidence_item_and_is_stored(report, store, fixture, kind,
                                                                 media_type):
    source = FIXTURES / fixture
    data = source.read_bytes()
    item = import_evidence(report, source, kind, store, now=NOW)

    assert report.evidence == [item]
    assert uuid.UUID(item.id)
    assert (item.kind, item.media_type, item.filename, item.original_name) == \
        (kind, media_type, fixture, fixture)
    assert item.size == len(data) and item.sha256 == hashlib.sha256(data).hexdigest()
    assert item.title == fixture.rsplit(".", 1)[0]
    assert item.added_at == "2026-11-27T10:00:00+00:00" == report.updated_at
    assert not item.excluded and not item.no_personal_data_confirmed
    assert store.calls == [(report.id, item.id, source)]
    assert (store.folder / report.id / item.id).read_bytes() == data


def test_the_same_name_twice_gets_a_numbered_second_name(report, store):
    first = import_evidence(report, FIXTURES / "screenshot.png", "screenshot", store, now=NOW)
    second = import_evidence(report, FIXTURES / "screenshot.png", "screenshot", store, now=NOW)
    assert (first.filename, second.filename) == ("screenshot.png", "screenshot (2).png")


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd", "passwd.png"),  # path parts dropped, extension from the content
    ("..\\..\\Windows\\win.ini.png", "win.ini.png"),
    ("a\x00b.png", "a_b.png"),
    ("Bildschirmfoto 2026-11-27 um 10.15.03", "Bildschirmfoto 2026-11-27 um 10.15.03.png"),
    ("foto.jpg", "foto.png"),  # an image with its sibling's extension: corrected, not refused
    ("Cafe\u0301.png", "Caf\u00e9.png"),  # NFC
    ("..", "screenshot.png"),
])
def test_names_are_made_safe_and_keep_the_original(report, store, name, expected):
    item = import_evidence(report, FIXTURES / "screenshot.png", "screenshot", store, now=NOW,
                           original_name=name)
    assert item.filename == expected
    assert item.original_name == name


def test_a_300_character_name_is_shortened_but_keeps_its_extension(report, store, tmp_path):
    path = write(tmp_path, "b" * 250 + ".png", (FIXTURES / "screenshot.png").read_bytes())
    item = import_evidence(report, path, "screenshot", store, now=NOW, original_name="a" * 300 + ".png")
    assert len(item.filename) <= 120 and item.filename.endswith(".png")
    assert item.original_name == "a" * 300 + ".png"


def test_a_text_file_without_known_extension_gets_txt(report, store, tmp_path):
    path = write(tmp_path, "chrome-debug.out2", b"[1127/101500.123:ERROR] GPU process exited\n")
    item = import_evidence(report, path, "console", store, now=NOW)
    assert item.filename == "chrome-debug.out2.txt"


def test_a_utf16_console_log_is_accepted(report, store, tmp_path):
    path = write(tmp_path, "konsole.txt", "\ufeffFehler beim Laden: Zeitüberschreitung\r\n".encode("utf-16-le"))
    assert import_evidence(report, path, "console", store, now=NOW).media_type == "text/plain"


def test_a_scanned_document_image_is_accepted_as_document(report, store):
    item = import_evidence(report, FIXTURES / "screenshot.png", "document", store, now=NOW)
    assert item.kind == "document" and item.media_type == "image/png"


# --- refused files --------------------------------------------------------------------------

def test_a_file_over_the_size_limit_names_its_size_the_limit_and_the_next_step(report, store, tmp_path):
    path = tmp_path / "vertrag.pdf"
    with path.open("wb") as handle:  # sparse: 48 MB on paper, nothing written
        handle.write(b"%PDF-1.7\n")
        handle.truncate(48 * MB)
    error = refused(report, path, "document", store)
    assert error.message() == (
        "Die Datei ‚vertrag.pdf‘ ist 48 MB groß; erlaubt sind höchstens 25 MB. Verkleinern Sie "
        "die Datei (z. B. einen Bildausschnitt statt des ganzen Bildschirms) oder teilen Sie sie "
        "in mehrere Dateien auf.")
    assert error.message("en").startswith("The file ‘vertrag.pdf’ is 48 MB; at most 25 MB is allowed.")


def test_a_file_just_over_the_limit_does_not_claim_to_be_exactly_the_limit(report, store, tmp_path):
    path = tmp_path / "scan.pdf"
    with path.open("wb") as handle:
        handle.write(b"%PDF-1.7\n")
        handle.truncate(25 * MB + 1)
    assert "ist 25,1 MB groß; erlaubt sind höchstens 25 MB" in refused(report, path, "document", store).message()


def test_a_smaller_configured_limit_is_used(report, store, tmp_path):
    path = write(tmp_path, "konsole.log", b"x" * 3000)
    error = refused(report, path, "console", store, limits=ImportLimits(max_file_bytes=2048))
    assert "ist 3 KB groß; erlaubt sind höchstens 2 KB" in error.message()


def test_a_png_that_is_really_a_zip_is_refused_naming_both(report, store, tmp_path):
    path = write(tmp_path, "bild.png", zip_bytes())
    error = refused(report, path, "screenshot", store)
    assert error.message().startswith(
        "Die Datei ‚bild.png‘ endet auf .png (PNG-Bild), ist aber in Wahrheit ein ZIP-Archiv. "
        "Dateien, deren Name nicht zum Inhalt passt, werden aus Sicherheitsgründen nicht angehängt.")


def test_an_empty_file_is_refused(report, store, tmp_path):
    path = write(tmp_path, "leer.log", b"")
    assert refused(report, path, "console", store).message() == (
        "Die Datei ‚leer.log‘ ist leer (0 Byte) und belegt nichts. Speichern Sie den Inhalt "
        "erneut und wählen Sie die neue Datei aus.")


def test_an_executable_renamed_to_pdf_is_refused_as_a_program(report, store, tmp_path):
    path = write(tmp_path, "rechnung.pdf", b"MZ\x90\x00\x03" + b"\x00" * 500)
    error = refused(report, path, "document", store)
    assert error.message().startswith(
        "Die Datei ‚rechnung.pdf‘ endet auf .pdf (PDF-Dokument), ist aber in Wahrheit ein "
        "Windows-Programm (EXE/DLL). Programme werden aus Sicherheitsgründen nie angehängt.")


def test_an_rtl_override_cannot_hide_a_program(report, store, tmp_path):
    # Shown by a file manager as "rechnungexe.png".
    path = write(tmp_path, "rechnung\u202egnp.exe", b"MZ\x90\x00" + b"\x00" * 200)
    error = refused(report, path, "screenshot", store)
    assert error.message().startswith(
        "Die Datei ‚rechnunggnp.exe‘ ist ein Windows-Programm (EXE/DLL). Programme werden aus "
        "Sicherheitsgründen nie als Beleg angehängt.")
    assert "\u202e" not in error.message()


def test_an_rtl_override_on_a_real_image_is_refused_as_a_disguise(report, store, tmp_path):
    path = write(tmp_path, "foto\u202egnp.exe", (FIXTURES / "screenshot.png").read_bytes())
    assert refused(report, path, "screenshot", store).message().startswith(
        "Die Datei ‚fotognp.exe‘ endet auf .exe (Windows-Programm), ist aber in Wahrheit ein PNG-Bild.")


def test_a_path_with_dot_dots_and_nul_in_the_name_is_shown_safely_when_refused(report, store, tmp_path):
    path = write(tmp_path, "upload.bin", b"")
    error = refused(report, path, "other", store, original_name="../../a\x00b.png")
    assert error.message().startswith("Die Datei ‚a_b.png‘ ist leer (0 Byte)")


def test_a_png_header_claiming_30000_by_30000_is_refused_fast_without_decoding(report, store, tmp_path):
    path = write(tmp_path, "riesig.png", png_header(30000, 30000) + b"\x00" * 64)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        error = refused(report, path, "screenshot", store)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.message() == (
        "Das Bild ‚riesig.png‘ ist laut Dateikopf 30000 × 30000 Pixel groß (900 Megapixel); "
        "erlaubt sind höchstens 100 Megapixel. So große Bilder sind fast immer beschädigt oder "
        "manipuliert. Nehmen Sie einen neuen Screenshot auf oder verkleinern Sie das Bild.")
    assert elapsed < 0.5
    assert peak < 2 * MB  # decoding would need 2.7 GB


def test_a_truncated_png_is_refused_as_broken(report, store, tmp_path):
    path = write(tmp_path, "kaputt.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    assert refused(report, path, "screenshot", store).message().startswith(
        "Das Bild ‚kaputt.png‘ (PNG-Bild) ist beschädigt oder unvollständig")


def test_a_pdf_is_not_a_screenshot(report, store):
    error = refused(report, FIXTURES / "vertrag.pdf", "screenshot", store)
    assert error.message().startswith(
        "Die Datei ‚vertrag.pdf‘ ist ein PDF-Dokument. Für die Belegart „Screenshot“ können nur "
        "Bilder (PNG, JPEG, GIF, WebP, BMP) angehängt werden.")


def test_json_without_a_log_entry_is_not_a_network_log(report, store, tmp_path):
    path = write(tmp_path, "netzwerk.json", b'{"entries": []}')
    assert refused(report, path, "network", store).message().startswith(
        "Die Datei ‚netzwerk.json‘ ist kein Netzwerkprotokoll im HAR-Format (es fehlt der Eintrag „log“).")


def test_a_log_in_a_legacy_encoding_is_refused_with_how_to_save_it_as_utf8(report, store, tmp_path):
    path = write(tmp_path, "konsole.log", "Größe überschritten\n".encode("cp1252"))
    error = refused(report, path, "console", store)
    assert error.message().startswith("Die Datei ‚konsole.log‘ ist keine lesbare Textdatei")
    assert "UTF-8" in error.message()


def test_a_log_that_turns_binary_after_the_sniffed_head_is_refused(report, store, tmp_path):
    path = write(tmp_path, "konsole.log", b"ok\n" * 10000 + b"\xff\xfe\x00garbage")
    assert refused(report, path, "console", store).key == "evidence.text_undecodable"


def test_an_archive_with_its_own_name_is_refused_with_advice_to_unpack(report, store, tmp_path):
    path = write(tmp_path, "logs.zip", zip_bytes())
    assert refused(report, path, "other", store).message().startswith(
        "Die Datei ‚logs.zip‘ ist ein ZIP-Archiv. Archive werden nicht angehängt")


def test_an_office_document_is_refused_with_advice_to_save_as_pdf(report, store, tmp_path):
    path = write(tmp_path, "vertrag.docx", zip_bytes())
    assert "Speichern Sie es als PDF" in refused(report, path, "document", store).message()


def test_a_missing_file_names_the_folder(report, store, tmp_path):
    error = refused(report, tmp_path / "weg.png", "screenshot", store)
    assert error.message() == (
        f"Die Datei ‚weg.png‘ wurde im Ordner „{tmp_path}“ nicht gefunden. Sie wurde vielleicht "
        "verschoben oder gelöscht; wählen Sie sie erneut aus.")


def test_a_folder_is_not_a_file(report, store, tmp_path):
    (tmp_path / "Bilder").mkdir()
    assert refused(report, tmp_path / "Bilder", "screenshot", store).key == "evidence.not_a_file"


def test_a_file_changed_between_check_and_store_is_not_added(report, tmp_path):
    path = write(tmp_path, "konsole.log", b"erste Fassung\n")

    def store_other_bytes(report_id, item_id, source):
        return 5, hashlib.sha256(b"other").hexdigest()

    before = copy.deepcopy(report.to_dict())
    with pytest.raises(EvidenceError) as caught:
        import_evidence(report, path, "console", store_other_bytes, now=NOW)
    assert caught.value.key == "evidence.changed_during_import"
    assert report.to_dict() == before


def test_a_failing_store_reports_the_reason_and_adds_nothing(report, tmp_path):
    def full_disk(report_id, item_id, source):
        raise OSError(28, "Auf dem Gerät ist kein Speicherplatz mehr verfügbar")

    before = copy.deepcopy(report.to_dict())
    with pytest.raises(EvidenceError) as caught:
        import_evidence(report, FIXTURES / "screenshot.png", "screenshot", full_disk, now=NOW)
    assert "(Auf dem Gerät ist kein Speicherplatz mehr verfügbar)" in caught.value.message()
    assert report.to_dict() == before


def test_check_import_alone_changes_nothing_and_reports_what_it_found(tmp_path):
    check = check_import(FIXTURES / "screenshot.png", "screenshot")
    assert (check.filename, check.media_type, check.dimensions) == ("screenshot.png", "image/png", (8, 6))


def test_evidence_filename_never_keeps_a_misleading_extension():
    assert evidence_filename("bericht", ft.PDF_DOC, "document") == "bericht.pdf"
    assert evidence_filename("scan.jpeg", ft.JPEG, "document") == "scan.jpeg"
    assert evidence_filename("skript.bat", ft.PLAIN_TEXT, "other") == "skript.bat.txt"
