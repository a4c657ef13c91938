"""A PNG cut off in the middle of its image data is no screenshot and no document: the whole
compressed stream is checked (bounded), not only the header."""
from __future__ import annotations

import struct
import zlib

import pytest

from capture_app.core.evidence import png
from capture_app.core.evidence.importing import EvidenceError, check_import
from tests.core.test_png import chunk, screen_like


def _image(width=320, height=200) -> bytes:
    return png.encode(width, height, screen_like(width, height), level=6)


def _split(data: bytes) -> tuple[bytes, bytes, bytes]:
    """(everything before IDAT, the IDAT payload, IEND chunk)."""
    info = png.inspect(data)
    idat = b"".join(data[c.offset + 8:c.offset + 8 + c.length] for c in info.chunks if c.type == b"IDAT")
    first = next(c for c in info.chunks if c.type == b"IDAT")
    return data[:first.offset], idat, chunk(b"IEND", b"")


def cut_file(data: bytes) -> bytes:
    """The file itself cut halfway through IDAT (an interrupted download or copy)."""
    start, idat, _ = _split(data)
    return data[:len(start) + 8 + len(idat) // 2]


def cut_stream(data: bytes) -> bytes:
    """Well-formed chunks around half a zlib stream (a broken encoder or a careless edit)."""
    start, idat, end = _split(data)
    return start + chunk(b"IDAT", idat[:len(idat) // 2]) + end


def short_rows(data: bytes) -> bytes:
    """A complete zlib stream holding fewer rows than IHDR promises."""
    start, idat, end = _split(data)
    raw = zlib.decompress(idat)
    return start + chunk(b"IDAT", zlib.compress(raw[:len(raw) // 2])) + end


def bad_crc(data: bytes) -> bytes:
    start, idat, end = _split(data)
    broken = bytearray(chunk(b"IDAT", idat))
    broken[-1] ^= 0xFF
    return start + bytes(broken) + end


@pytest.mark.parametrize("damage", [cut_file, cut_stream, short_rows, bad_crc])
@pytest.mark.parametrize("kind", ["screenshot", "document"])
def test_a_damaged_png_is_refused_as_evidence_with_a_clear_message(tmp_path, damage, kind):
    path = tmp_path / "bildschirm.png"
    path.write_bytes(damage(_image()))
    with pytest.raises(EvidenceError) as caught:
        check_import(path, kind)
    assert caught.value.key == "evidence.image_incomplete"
    message = caught.value.message("de")
    assert "‚bildschirm.png‘" in message and "unvollständig" in message


def test_an_intact_png_is_still_accepted(tmp_path):
    path = tmp_path / "bildschirm.png"
    path.write_bytes(_image())
    assert check_import(path, "screenshot").dimensions == (320, 200)


@pytest.mark.parametrize("color, depth, interlace", [(6, 8, 0), (0, 1, 0), (3, 4, 0), (2, 16, 1)])
def test_other_layouts_and_interlacing_are_verified_too(color, depth, interlace):
    width, height = 33, 17
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color]
    bits = channels * depth

    def raw_for(w, h):
        return b"".join(b"\0" + bytes((w * bits + 7) // 8) for _ in range(h)) if w and h else b""

    if interlace:
        passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        raw = b"".join(raw_for((width - x + dx - 1) // dx, (height - y + dy - 1) // dy)
                       for x, y, dx, dy in passes)
    else:
        raw = raw_for(width, height)
    head = png.SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, interlace))
    if color == 3:
        head += chunk(b"PLTE", bytes(48))
    good = head + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    assert png.verify(good) == (width, height)
    with pytest.raises(png.PngError):
        png.verify(head + chunk(b"IDAT", zlib.compress(raw[:-1])) + chunk(b"IEND", b""))


def test_a_decompression_bomb_is_stopped_at_the_promised_size():
    head = png.SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", 10, 10, 8, 2, 0, 0, 0))
    bomb = zlib.compress(bytes(50_000_000), 9)
    with pytest.raises(png.PngError):
        png.verify(head + chunk(b"IDAT", bomb) + chunk(b"IEND", b""))


def test_a_png_made_of_thousands_of_tiny_chunks_is_refused():
    start, idat, end = _split(_image())
    pieces = [chunk(b"IDAT", idat[i:i + 1]) for i in range(len(idat))]
    with pytest.raises(png.PngError, match="too many chunks"):
        png.verify(start + b"".join(pieces) + end)
    padded = start + b"".join(chunk(b"tEXt", b"k\0v") for _ in range(5000)) + chunk(b"IDAT", idat) + end
    with pytest.raises(png.PngError, match="too many chunks"):
        png.verify(padded)
    assert png.verify(start + b"".join(chunk(b"IDAT", idat[i:i + 8192])
                                       for i in range(0, len(idat), 8192)) + end) == (320, 200)
