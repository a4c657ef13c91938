"""What a file really is, from its first bytes — never from its name.

Only an allowlist is recognised as acceptable evidence (images, PDF, text, JSON/HAR). Archives
and executables are recognised too, so that a ``rechnung.pdf`` that is really a Windows program
can be rejected by name instead of as "unknown". Sniffing reads a bounded head of the file; image
dimensions are read from the header only, so a "30000×30000" PNG bomb is refused without ever
being decoded.
"""
from __future__ import annotations

import codecs
import json
import re
import struct
from dataclasses import dataclass
from typing import BinaryIO

# Enough for every signature below and for a useful look at the start of a text file.
SNIFF_BYTES = 8192

# Families decide what an extension may disagree with: a ``.jpg`` holding a PNG is an image
# with the wrong suffix (fixed silently), a ``.png`` holding a ZIP is a disguise (rejected).
IMAGE, PDF, TEXT, ARCHIVE, EXECUTABLE, UNKNOWN = (
    "image", "pdf", "text", "archive", "executable", "unknown")


@dataclass(frozen=True)
class FileType:
    key: str  # stable identifier, also the i18n key suffix (evidence.type.<key>)
    media_type: str
    label: str  # short technical name, the same in every language
    family: str
    extensions: tuple[str, ...] = ()  # lower case, without dot; the first is the canonical one

    @property
    def extension(self) -> str:
        return self.extensions[0] if self.extensions else ""


PNG = FileType("png", "image/png", "PNG", IMAGE, ("png",))
JPEG = FileType("jpeg", "image/jpeg", "JPEG", IMAGE, ("jpg", "jpeg", "jpe", "jfif"))
GIF = FileType("gif", "image/gif", "GIF", IMAGE, ("gif",))
WEBP = FileType("webp", "image/webp", "WebP", IMAGE, ("webp",))
BMP = FileType("bmp", "image/bmp", "BMP", IMAGE, ("bmp", "dib"))
PDF_DOC = FileType("pdf", "application/pdf", "PDF", PDF, ("pdf",))
PLAIN_TEXT = FileType("text", "text/plain", "Text", TEXT,
                      ("txt", "log", "text", "csv", "tsv", "md", "out", "err", "trace"))
JSON_TEXT = FileType("json", "application/json", "JSON", TEXT, ("json",))
HAR = FileType("har", "application/json", "HAR", TEXT, ("har",))
ZIP = FileType("zip", "application/zip", "ZIP", ARCHIVE,
               ("zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "jar", "apk", "xpi", "crx"))
# Office files are ZIP containers; the agent is told to save them as PDF instead.
OFFICE_EXTENSIONS = frozenset({"docx", "xlsx", "pptx", "odt", "ods", "odp", "doc", "xls", "ppt"})
# Legacy Office files and Outlook messages: an OLE2 compound file, a container like a ZIP.
OLE = FileType("ole", "application/x-ole-storage", "OLE2", ARCHIVE, ("doc", "xls", "ppt", "msg"))
GZIP = FileType("gzip", "application/gzip", "GZIP", ARCHIVE, ("gz", "tgz"))
SEVEN_ZIP = FileType("7z", "application/x-7z-compressed", "7z", ARCHIVE, ("7z",))
RAR = FileType("rar", "application/vnd.rar", "RAR", ARCHIVE, ("rar",))
WINDOWS_EXE = FileType("exe", "application/vnd.microsoft.portable-executable", "EXE", EXECUTABLE,
                       ("exe", "dll", "scr", "com", "sys", "cpl", "ocx", "msi"))
ELF = FileType("elf", "application/x-elf", "ELF", EXECUTABLE, ("elf", "so", "bin"))
MACHO = FileType("macho", "application/x-mach-binary", "Mach-O", EXECUTABLE, ("dylib",))
BINARY = FileType("binary", "application/octet-stream", "?", UNKNOWN)

ALL_TYPES = (PNG, JPEG, GIF, WEBP, BMP, PDF_DOC, PLAIN_TEXT, JSON_TEXT, HAR,
             ZIP, OLE, GZIP, SEVEN_ZIP, RAR, WINDOWS_EXE, ELF, MACHO)
IMAGE_TYPES = (PNG, JPEG, GIF, WEBP, BMP)
BY_KEY = {t.key: t for t in (*ALL_TYPES, BINARY)}
# Images a browser shows inline; the HTML summary embeds only these (never SVG: it can script).
INLINE_IMAGE_MEDIA_TYPES = frozenset(t.media_type for t in IMAGE_TYPES)
# Already compressed: deflating them again costs time and gains nothing.
COMPRESSED_MEDIA_TYPES = frozenset(
    {PNG.media_type, JPEG.media_type, GIF.media_type, WEBP.media_type,
     ZIP.media_type, GZIP.media_type, SEVEN_ZIP.media_type, RAR.media_type})


def type_for_extension(extension: str) -> FileType | None:
    """The type a name promises by its extension (``"PNG"`` or ``".png"``), if it is known."""
    ext = extension.lower().lstrip(".")
    return next((t for t in ALL_TYPES if ext in t.extensions), None)


def extension_of(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


# --- sniffing -------------------------------------------------------------------------------

_BINARY_SIGNATURES: tuple[tuple[bytes, FileType], ...] = (
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
    (b"%PDF-", PDF_DOC),
    (b"PK\x03\x04", ZIP),
    (b"PK\x05\x06", ZIP),  # empty archive
    (b"PK\x07\x08", ZIP),  # spanned archive
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLE),
    (b"\x1f\x8b", GZIP),
    (b"7z\xbc\xaf\x27\x1c", SEVEN_ZIP),
    (b"Rar!\x1a\x07", RAR),
    (b"MZ", WINDOWS_EXE),
    (b"\x7fELF", ELF),
    (b"\xfe\xed\xfa\xce", MACHO), (b"\xce\xfa\xed\xfe", MACHO),
    (b"\xfe\xed\xfa\xcf", MACHO), (b"\xcf\xfa\xed\xfe", MACHO),
    (b"\xca\xfe\xba\xbe", MACHO),  # universal binary
)

# Control characters a log may legitimately contain: tab, newlines, form feed, backspace, ESC
# (terminal colours). Anything else in quantity means binary data that happens to decode.
_TEXT_CONTROLS = set("\t\n\r\f\v\b\x1b")
_HAR_START = re.compile(r'^\s*\{\s*"log"\s*:')


def sniff(head: bytes, *, complete: bool = False) -> FileType:
    """The type of a file from its first bytes; ``complete`` says ``head`` is the whole file."""
    for signature, filetype in _BINARY_SIGNATURES:
        if head.startswith(signature):
            return filetype
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:2] == b"BM" and len(head) >= 26 and _bmp_header_plausible(head):
        return BMP
    text = decode_head(head, complete=complete)
    if text is None:
        return BINARY
    return _classify_text(text, complete=complete)


def sniff_file(handle: BinaryIO) -> FileType:
    """Sniff an open binary file from its start, reading at most ``SNIFF_BYTES``."""
    handle.seek(0)
    head = handle.read(SNIFF_BYTES + 1)
    complete = len(head) <= SNIFF_BYTES
    return sniff(head[:SNIFF_BYTES], complete=complete)


def text_encoding(head: bytes) -> str:
    """The codec a text file is read with: its BOM decides, otherwise UTF-8."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8"


def decode_head(head: bytes, *, complete: bool = False) -> str | None:
    """The head as text, or ``None`` when it is not UTF-8 (or UTF-16 with BOM) text."""
    encoding = text_encoding(head)
    if encoding == "utf-8" and b"\x00" in head:
        return None
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        # final=False: a head cut in the middle of a multi-byte character is still text.
        text = decoder.decode(head, final=complete)
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    controls = sum(1 for ch in text if ch < " " and ch not in _TEXT_CONTROLS)
    if controls > max(2, len(text) // 100):
        return None
    return text


def _classify_text(text: str, *, complete: bool) -> FileType:
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")):
        return PLAIN_TEXT
    if complete:
        # The whole file is here: decide by really parsing it.
        try:
            data = json.loads(stripped)
        except ValueError:
            return PLAIN_TEXT
        return HAR if isinstance(data, dict) and isinstance(data.get("log"), dict) else JSON_TEXT
    # Browsers write "log" as the first key of a HAR; the rest is too big to parse for a sniff.
    return HAR if _HAR_START.match(text) else JSON_TEXT


def _bmp_header_plausible(head: bytes) -> bool:
    """``BM`` alone is too weak (a text file may start with it); check the DIB header size."""
    dib_size = struct.unpack_from("<I", head, 14)[0]
    return dib_size in (12, 40, 52, 56, 64, 108, 124)


# --- image dimensions from headers ----------------------------------------------------------

# A JPEG's frame header follows its metadata segments (EXIF, ICC profiles); walk at most this
# many segments — by seeking over them, never reading their payload.
_MAX_JPEG_SEGMENTS = 1024
_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def image_dimensions(handle: BinaryIO, filetype: FileType) -> tuple[int, int] | None:
    """(width, height) from the header of an image, or ``None`` if the header is broken."""
    handle.seek(0)
    try:
        if filetype is JPEG:
            return _jpeg_dimensions(handle)
        head = handle.read(64)
        reader = {PNG: _png_dimensions, GIF: _gif_dimensions,
                  WEBP: _webp_dimensions, BMP: _bmp_dimensions}.get(filetype)
        return reader(head) if reader else None
    except (struct.error, IndexError):
        return None


def _png_dimensions(head: bytes) -> tuple[int, int] | None:
    if head[12:16] != b"IHDR":
        return None
    return struct.unpack_from(">II", head, 16)


def _gif_dimensions(head: bytes) -> tuple[int, int] | None:
    return struct.unpack_from("<HH", head, 6)


def _bmp_dimensions(head: bytes) -> tuple[int, int] | None:
    dib_size = struct.unpack_from("<I", head, 14)[0]
    if dib_size == 12:  # OS/2 BITMAPCOREHEADER
        return struct.unpack_from("<HH", head, 18)
    width, height = struct.unpack_from("<ii", head, 18)
    return abs(width), abs(height)  # negative height = top-down rows


def _webp_dimensions(head: bytes) -> tuple[int, int] | None:
    chunk = head[12:16]
    if chunk == b"VP8 " and head[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack_from("<HH", head, 26)
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and head[20] == 0x2F:
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        width = int.from_bytes(head[24:27], "little") + 1
        height = int.from_bytes(head[27:30], "little") + 1
        return width, height
    return None


def _jpeg_dimensions(handle: BinaryIO) -> tuple[int, int] | None:
    handle.seek(2)  # after SOI
    for _ in range(_MAX_JPEG_SEGMENTS):
        marker = handle.read(2)
        while len(marker) == 2 and marker[0] == 0xFF and marker[1] == 0xFF:  # fill bytes
            marker = marker[1:] + handle.read(1)
        if len(marker) < 2 or marker[0] != 0xFF:
            return None
        code = marker[1]
        if code == 0x01 or 0xD0 <= code <= 0xD7:  # markers without a length
            continue
        if code in (0xD9, 0xDA):  # end of image / start of scan before any frame header
            return None
        length_bytes = handle.read(2)
        if len(length_bytes) < 2:
            return None
        length = struct.unpack(">H", length_bytes)[0]
        if code in _JPEG_SOF:
            frame = handle.read(5)
            if len(frame) < 5:
                return None
            height, width = struct.unpack_from(">HH", frame, 1)
            return width, height
        handle.seek(length - 2, 1)
    return None
