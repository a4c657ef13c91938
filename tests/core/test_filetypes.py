"""The real type of a file from its first bytes, and image sizes from headers only."""
from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from capture_app.core.evidence import filetypes as ft

FIXTURES = Path(__file__).parent / "fixtures"


def png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr
            + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr)))


def jpeg_header(width: int, height: int, app_payload: int = 16) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", app_payload + 2) + b"J" * app_payload
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x22\x00" * 3
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xda\x00\x08" + b"\x00" * 6 + b"\xff\xd9"


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("inhalt.txt", "hallo")
    return buffer.getvalue()


@pytest.mark.parametrize("data, key", [
    ((FIXTURES / "screenshot.png").read_bytes(), "png"),
    (jpeg_header(640, 480), "jpeg"),
    (b"GIF89a" + struct.pack("<HH", 10, 20) + b"\x00" * 10, "gif"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8X" + b"\x00" * 20, "webp"),
    (b"BM" + b"\x00" * 12 + struct.pack("<Iii", 40, 3, 2) + b"\x00" * 30, "bmp"),
    ((FIXTURES / "vertrag.pdf").read_bytes(), "pdf"),
    (zip_bytes(), "zip"),
    (b"MZ\x90\x00" + b"\x00" * 60, "exe"),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 40, "elf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "ole"),
    ("Fehler: Zeitüberschreitung\n".encode(), "text"),
    ("\ufeffmit BOM".encode("utf-8"), "text"),
    ("\ufeffUTF-16 Protokoll äöü\r\n".encode("utf-16-le"), "text"),
    (b'  \n{"a": [1, 2]}', "json"),
    ((FIXTURES / "network.har").read_bytes(), "har"),
    (b'{"log": "kein Objekt"}', "json"),
    (b"abc\x00def", "binary"),
    (bytes(range(256)) * 4, "binary"),
    ("Größe".encode("cp1252"), "binary"),  # a legacy-encoded log is not UTF-8 text
])
def test_sniff_recognises_the_allowlist_and_what_it_rejects(data, key):
    assert ft.sniff(data[:ft.SNIFF_BYTES], complete=len(data) <= ft.SNIFF_BYTES).key == key


def test_a_text_file_cut_inside_a_character_at_the_sniff_boundary_is_still_text():
    data = ("a" * (ft.SNIFF_BYTES - 1) + "ä" + "b" * 100).encode("utf-8")
    assert ft.sniff(data[:ft.SNIFF_BYTES], complete=False) is ft.PLAIN_TEXT


def test_a_large_har_is_recognised_from_its_head():
    entries = [{"request": {"url": f"https://x.example/{i}"}} for i in range(2000)]
    data = json.dumps({"log": {"version": "1.2", "entries": entries}}).encode()
    assert len(data) > ft.SNIFF_BYTES
    assert ft.sniff(data[:ft.SNIFF_BYTES], complete=False) is ft.HAR


def test_a_text_file_starting_with_bm_is_not_taken_for_a_bitmap():
    assert ft.sniff(b"BM-Protokoll: Anmeldung fehlgeschlagen\n" * 3, complete=True) is ft.PLAIN_TEXT


class CountingReader(io.RawIOBase):
    """A file of ``size`` text bytes that counts how much is read from it."""

    def __init__(self, size: int):
        self.size, self.pos, self.read_total = size, 0, 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=0):
        self.pos = offset if whence == 0 else (self.pos + offset if whence == 1 else self.size + offset)
        return self.pos

    def readinto(self, buffer):
        n = max(0, min(len(buffer), self.size - self.pos))
        buffer[:n] = b"x" * n
        self.pos += n
        self.read_total += n
        return n


def test_sniffing_a_huge_file_reads_only_its_head():
    reader = CountingReader(2 * 1024 ** 3)
    assert ft.sniff_file(io.BufferedReader(reader, buffer_size=4096)) is ft.PLAIN_TEXT
    assert reader.read_total <= ft.SNIFF_BYTES + 4096


@pytest.mark.parametrize("data, filetype, size", [
    (png_header(1920, 1080), ft.PNG, (1920, 1080)),
    (png_header(30000, 30000), ft.PNG, (30000, 30000)),
    (jpeg_header(800, 600), ft.JPEG, (800, 600)),
    (b"GIF89a" + struct.pack("<HH", 320, 200) + b"\x00" * 10, ft.GIF, (320, 200)),
    (b"BM" + b"\x00" * 12 + struct.pack("<Iii", 40, 1024, -768) + b"\x00" * 30, ft.BMP, (1024, 768)),
    (b"BM" + b"\x00" * 12 + struct.pack("<IHH", 12, 64, 32) + b"\x00" * 30, ft.BMP, (64, 32)),
    (b"RIFF\x00\x00\x00\x00WEBPVP8X" + b"\x00" * 8 + (1279).to_bytes(3, "little")
     + (719).to_bytes(3, "little") + b"\x00" * 8, ft.WEBP, (1280, 720)),
    (b"RIFF\x00\x00\x00\x00WEBPVP8L\x00\x00\x00\x00\x2f"
     + ((99) | (49 << 14)).to_bytes(4, "little") + b"\x00" * 8, ft.WEBP, (100, 50)),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 \x00\x00\x00\x00\x00\x00\x00\x9d\x01\x2a"
     + struct.pack("<HH", 640, 360) + b"\x00" * 8, ft.WEBP, (640, 360)),
])
def test_image_dimensions_come_from_the_header(data, filetype, size):
    assert ft.image_dimensions(io.BytesIO(data), filetype) == size


def test_jpeg_size_is_found_behind_large_metadata_without_reading_it():
    # An EXIF block of ~64 KB before the frame header: far beyond the sniffed head.
    data = jpeg_header(4000, 3000, app_payload=65000)
    assert ft.image_dimensions(io.BytesIO(data), ft.JPEG) == (4000, 3000)


@pytest.mark.parametrize("data, filetype", [
    (b"\x89PNG\r\n\x1a\n\x00\x00", ft.PNG),  # cut off before IHDR
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", ft.JPEG),  # no frame header
    (b"GIF89a\x01", ft.GIF),
])
def test_truncated_image_headers_give_no_size(data, filetype):
    assert ft.image_dimensions(io.BytesIO(data), filetype) is None


def test_extensions_map_to_the_type_they_promise():
    assert ft.type_for_extension(".PNG") is ft.PNG
    assert ft.type_for_extension("jpeg") is ft.JPEG
    assert ft.type_for_extension("docx") is ft.ZIP
    assert ft.type_for_extension("exe") is ft.WINDOWS_EXE
    assert ft.type_for_extension("xyz") is None
    assert ft.extension_of("Screenshot 10.15.03") == "03"
    assert ft.extension_of(".bashrc") == ""
