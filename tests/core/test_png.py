"""PNG files carry pixels and nothing else, end at IEND, and are never written over old files."""
from __future__ import annotations

import random
import struct
import zlib

import pytest
from png_reader import decode_rgb_png

from capture_app.core.evidence import png


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def screen_like(width: int, height: int, seed: int = 3) -> bytes:
    """Flat panels with short runs of 'text' in them: what a web app looks like to deflate."""
    rng = random.Random(seed)
    rows = []
    for y in range(height):
        background = (255, 255, 255) if (y // 40) % 3 else (0, 59, 111)
        row = bytearray(bytes(background) * width)
        if y % 20 < 12:
            for _ in range(width // 40):
                x = rng.randrange(width - 8)
                shade = rng.randrange(256)
                row[x * 3:(x + 6) * 3] = bytes((shade, shade, min(255, shade + 30))) * 6
        rows.append(bytes(row))
    return b"".join(rows)


def test_rgb_and_bgra_input_give_the_same_exact_image():
    width, height = 37, 11
    rgb = random.Random(1).randbytes(width * height * 3)
    bgra = bytes(b for i in range(0, len(rgb), 3) for b in (rgb[i + 2], rgb[i + 1], rgb[i], 255))
    from_rgb = png.encode(width, height, rgb)
    from_bgra = png.encode(width, height, bgra, layout="BGRA")
    assert decode_rgb_png(from_rgb) == (width, height, rgb)
    assert decode_rgb_png(from_bgra) == (width, height, rgb)


def test_padded_rows_are_read_with_their_stride():
    # QImage pads rows to 4 bytes: 5 RGB pixels = 15 bytes of pixels, 16 per row.
    width, height, stride = 5, 3, 16
    rgb = random.Random(2).randbytes(width * 3 * height)
    padded = b"".join(rgb[y * 15:(y + 1) * 15] + b"\xee" for y in range(height))
    assert decode_rgb_png(png.encode(width, height, padded, stride=stride))[2] == rgb


def test_only_the_chunks_an_image_needs_and_nothing_after_iend():
    data = png.encode(2000, 700, screen_like(2000, 700))
    info = png.inspect(data)
    assert set(info.chunk_types) == {b"IHDR", b"IDAT", b"IEND"}
    assert info.chunk_types[0] == b"IHDR" and info.chunk_types[-1] == b"IEND"
    assert info.trailing == 0 and info.end == len(data)
    assert data.endswith(b"IEND\xaeB`\x82")
    assert info.clean


def test_the_encoder_beats_the_plain_zlib_baseline_on_screen_content():
    width, height = 1280, 720
    pixels = screen_like(width, height)
    ours = png.encode(width, height, pixels)
    rows = b"".join(b"\x00" + pixels[y * width * 3:(y + 1) * width * 3] for y in range(height))
    baseline = len(zlib.compress(rows, 6))  # what mss.tools.to_png writes by default
    assert len(ours) < baseline


def test_an_acropalypse_file_is_recognised_and_cleaned():
    """A short new PNG written over a longer old one without truncating: the old tail stays."""
    secret = png.encode(300, 200, random.Random(9).randbytes(300 * 200 * 3))
    edited = png.encode(100, 50, bytes(100 * 50 * 3))
    overwritten = edited + secret[len(edited):]
    info = png.inspect(overwritten)
    assert info.trailing == len(secret) - len(edited) > 0
    assert not info.clean
    cleaned = png.clean_copy(overwritten)
    assert cleaned == edited
    assert png.inspect(cleaned).clean


def test_metadata_chunks_are_not_clean_and_are_removed():
    image = png.encode(4, 4, bytes(48))
    ihdr_end = 8 + 25
    with_metadata = (image[:ihdr_end] + chunk(b"tEXt", b"Author\x00Erika Beispiel")
                     + chunk(b"tIME", b"\x07\xea\x0b\x1b\x0e\x00\x00")
                     + chunk(b"eXIf", b"MM\x00*") + image[ihdr_end:])
    info = png.inspect(with_metadata)
    assert b"tEXt" in info.chunk_types and not info.clean
    cleaned = png.clean_copy(with_metadata)
    assert cleaned == image
    assert b"Erika" not in cleaned


@pytest.mark.parametrize("damage, reason", [
    (lambda d: d[:20], "past the end"),
    (lambda d: d[:-12], "truncated before IEND"),
    (lambda d: d[:40] + bytes([d[40] ^ 0xFF]) + d[41:], "CRC"),
    (lambda d: b"GIF89a" + d[6:], "signature"),
])
def test_broken_files_are_refused(damage, reason):
    data = png.encode(8, 8, bytes(192))
    with pytest.raises(png.PngError) as caught:
        png.inspect(damage(data))
    assert reason.lower() in str(caught.value).lower()


def test_a_new_file_is_never_written_over_an_existing_one(tmp_path):
    target = tmp_path / "screenshot.png"
    old = png.encode(300, 300, random.Random(5).randbytes(300 * 300 * 3))
    target.write_bytes(old)
    with pytest.raises(FileExistsError):
        png.write_new_file(target, png.encode(10, 10, bytes(300)))
    assert target.read_bytes() == old  # untouched, not partly overwritten
    assert sorted(p.name for p in tmp_path.iterdir()) == ["screenshot.png"]  # no temp file left


def test_a_new_file_where_a_larger_file_was_ends_exactly_at_iend(tmp_path):
    target = tmp_path / "screenshot.png"
    target.write_bytes(png.encode(300, 300, random.Random(6).randbytes(300 * 300 * 3)))
    target.unlink()  # the old file is gone, its name is free again
    small = png.encode(20, 20, bytes(1200))
    png.write_new_file(target, small)
    data = target.read_bytes()
    assert data == small
    assert png.inspect(data).trailing == 0


@pytest.mark.parametrize("width, height", [(0, 10), (10, 0), (70_000, 1)])
def test_impossible_sizes_are_refused(width, height):
    with pytest.raises(ValueError):
        png.encode(width, height, b"")
