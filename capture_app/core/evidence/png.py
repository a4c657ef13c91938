"""PNG files that carry pixels and nothing else.

A screenshot leaves the machine, so its file must hold exactly what the agent saw in Review:

* Only the chunks an image needs: IHDR, PLTE/tRNS (palette images), IDAT, IEND. No text, time,
  EXIF, ICC or private chunks — they can carry user names, paths and the capture time.
* Nothing after IEND. The aCropalypse bug (Google Pixel's Markup, Windows' Snipping Tool, 2023)
  wrote an edited PNG over the original file without truncating it; the cropped-away and
  blacked-out pixels of the original stayed behind the new IEND and could be recovered.
* A new file every time (:func:`write_new_file`): a file is never opened for writing where
  another one exists, so no tail of an older file can survive.

Compression: screenshots of web apps are flat colours and anti-aliased text. Adaptive row
filters gain almost nothing on them (measured: 1–3 %, at a high cost in pure Python), the
strength of the deflate encoder is what counts. libdeflate (the ``deflate`` package) at level 9
gives a 6–7 % smaller file than zlib's default in about the same time; levels 10–12 gain a few
per cent more but take 5–20 times as long, so they are only used for small images (edited
crops and regions). ``benchmarks/capture.py`` measures these choices. Without the package the
standard library's zlib at level 9 is used.
"""
from __future__ import annotations

import io
import os
import struct
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

SIGNATURE = b"\x89PNG\r\n\x1a\n"
# What an image needs to be shown; everything else is metadata and is never written.
ALLOWED_CHUNKS = frozenset({b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"})
# Pixel layouts accepted by encode(): name -> (bytes per pixel, offsets of R, G, B).
LAYOUTS = {
    "RGB": (3, (0, 1, 2)),
    "RGBA": (4, (0, 1, 2)),
    "RGBX": (4, (0, 1, 2)),
    "BGRA": (4, (2, 1, 0)),  # mss, Windows GDI, QImage.Format_RGB32 on little-endian machines
    "BGRX": (4, (2, 1, 0)),
}
# Up to this many pixels the slower, stronger levels are worth it (regions, edited crops).
SMALL_IMAGE_PIXELS = 1_000_000
# IDAT data is split into chunks of this size, like libpng does; readers never need more.
IDAT_CHUNK = 1 << 20
# PNG allows 2^31 - 1 per side; refuse what no screen produces long before that.
MAX_SIDE = 65_535


class PngError(ValueError):
    """Not a well-formed PNG, or one that carries more than an image."""


@dataclass(frozen=True)
class Chunk:
    type: bytes
    offset: int  # of the length field
    length: int  # of the data


@dataclass(frozen=True)
class PngInfo:
    width: int
    height: int
    chunks: tuple[Chunk, ...]
    end: int  # offset just past IEND's CRC
    trailing: int  # bytes after IEND

    @property
    def chunk_types(self) -> list[bytes]:
        return [c.type for c in self.chunks]

    @property
    def clean(self) -> bool:
        return self.trailing == 0 and all(t in ALLOWED_CHUNKS for t in self.chunk_types)


# --- encoding ------------------------------------------------------------------------------

def _compressor() -> Any:
    try:
        import deflate  # libdeflate: better ratio per millisecond than zlib
    except ImportError:  # pragma: no cover - the package is a declared dependency
        return "zlib", lambda data, level: zlib.compress(data, min(level, 9))
    return "libdeflate", deflate.zlib_compress


def default_level(pixels: int) -> int:
    return 10 if pixels <= SMALL_IMAGE_PIXELS else 9


def scanlines(width: int, height: int, pixels: bytes | bytearray | memoryview, layout: str = "RGB",
              stride: int | None = None) -> bytearray:
    """Rows of RGB bytes, each preceded by filter type 0 (None)."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown pixel layout {layout!r}")
    bpp, (r, g, b) = LAYOUTS[layout]
    row_in = width * bpp
    stride = stride or row_in
    if stride < row_in or len(pixels) < stride * (height - 1) + row_in:
        raise ValueError("pixel buffer is smaller than width × height")
    row_out = 3 * width + 1
    out = bytearray(row_out * height)
    # Strided slices of bytes run in C at memcpy-like speed; of a memoryview, 4× slower.
    data = pixels if isinstance(pixels, (bytes, bytearray)) else bytes(pixels)
    for y in range(height):
        o = y * row_out + 1
        src = data[y * stride:y * stride + row_in]
        if layout == "RGB":
            out[o:o + row_out - 1] = src
        else:
            # Three strided copies per row run in C; a per-pixel loop would take seconds.
            out[o:o + row_out - 1:3] = src[r::bpp]
            out[o + 1:o + row_out - 1:3] = src[g::bpp]
            out[o + 2:o + row_out - 1:3] = src[b::bpp]
    return out


def encode(width: int, height: int, pixels: bytes | bytearray | memoryview, *, layout: str = "RGB",
           stride: int | None = None, level: int | None = None) -> bytes:
    """An opaque 8-bit RGB PNG of the pixels, with no chunk an image does not need.

    Alpha (``RGBA``/``BGRA``) is dropped: a screenshot is opaque, and a redaction must be
    opaque in every viewer.
    """
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise ValueError(f"image size {width}×{height} is outside 1…{MAX_SIDE}")
    raw = scanlines(width, height, pixels, layout, stride)
    _, compress = _compressor()
    data = compress(raw, level if level is not None else default_level(width * height))
    parts = [SIGNATURE, _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))]
    for start in range(0, len(data), IDAT_CHUNK):
        parts.append(_chunk(b"IDAT", data[start:start + IDAT_CHUNK]))
    parts.append(_chunk(b"IEND", b""))
    return b"".join(parts)


def encoder_name() -> str:
    return cast("str", _compressor()[0])


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# --- reading the structure -----------------------------------------------------------------

def inspect(data: bytes) -> PngInfo:
    """The chunk structure of a PNG; raises :class:`PngError` if it is not a valid one."""
    if not data.startswith(SIGNATURE):
        raise PngError("no PNG signature")
    offset = len(SIGNATURE)
    chunks: list[Chunk] = []
    while True:
        if offset + 8 > len(data):
            raise PngError("truncated before IEND")
        length, kind = struct.unpack_from(">I4s", data, offset)
        end = offset + 12 + length
        if length > 0x7FFFFFFF or end > len(data):
            raise PngError(f"chunk {kind!r} runs past the end of the file")
        crc = struct.unpack_from(">I", data, end - 4)[0]
        if zlib.crc32(data[offset + 4:end - 4]) != crc:
            raise PngError(f"chunk {kind!r} has a wrong CRC")
        chunks.append(Chunk(kind, offset, length))
        offset = end
        if kind == b"IEND":
            break
    if chunks[0].type != b"IHDR" or chunks[0].length != 13:
        raise PngError("IHDR is not the first chunk")
    width, height = struct.unpack_from(">II", data, chunks[0].offset + 8)
    return PngInfo(width, height, tuple(chunks), offset, len(data) - offset)


_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # colour type -> samples per pixel
_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
# Adam7: (first column, first row, column step, row step) of each pass.
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
          (0, 1, 1, 2))
_READ = 1 << 20
MAX_OTHER_CHUNKS = 256
MIN_AVERAGE_CHUNK = 1024


def raw_size(width: int, height: int, depth: int, colour: int, interlace: int) -> int:
    """Bytes of filtered scanlines (a filter byte per row) that IDAT must decompress to."""
    bits = _CHANNELS[colour] * depth

    def rows(w: int, h: int) -> int:
        return h * (1 + (w * bits + 7) // 8) if w and h else 0

    if not interlace:
        return rows(width, height)
    return sum(rows((width - x + dx - 1) // dx, (height - y + dy - 1) // dy)
               for x, y, dx, dy in _ADAM7)


def verify(source: bytes | BinaryIO) -> tuple[int, int]:
    """Width and height of a complete, undamaged PNG; raises :class:`PngError` otherwise.

    Every chunk's CRC is checked and the whole IDAT stream is decompressed (and thrown away)
    to exactly the size IHDR promises: a file cut off in its image data, or with rows missing,
    is refused here, and a stream that would decompress to more (a bomb) is stopped at that
    size. Memory stays bounded: chunks are read and decompressed piece by piece.
    """
    handle = io.BytesIO(source) if isinstance(source, (bytes, bytearray, memoryview)) else source
    total = handle.seek(0, io.SEEK_END)
    handle.seek(0)
    if handle.read(len(SIGNATURE)) != SIGNATURE:
        raise PngError("no PNG signature")
    expected = None
    produced = 0
    inflate = zlib.decompressobj()
    header = None
    # Encoders write image data in pieces of 8 KB or more and a handful of other chunks; a
    # file of thousands of tiny chunks is built to make readers slow.
    chunks_left = MAX_OTHER_CHUNKS + total // MIN_AVERAGE_CHUNK
    while True:
        chunks_left -= 1
        if chunks_left < 0:
            raise PngError("too many chunks for the file's size")
        head = handle.read(8)
        if len(head) < 8:
            raise PngError("truncated before IEND")
        length, kind = struct.unpack(">I4s", head)
        if length > 0x7FFFFFFF:
            raise PngError(f"chunk {kind!r} is impossibly long")
        crc = zlib.crc32(kind)
        remaining = length
        while remaining:
            part = handle.read(min(remaining, _READ))
            if not part:
                raise PngError(f"chunk {kind!r} runs past the end of the file")
            remaining -= len(part)
            crc = zlib.crc32(part, crc)
            if kind == b"IHDR":
                header = (header or b"") + part
            elif kind == b"IDAT":
                if expected is None:
                    raise PngError("IDAT before IHDR")
                produced += _inflate(inflate, part, expected - produced)
        stored = handle.read(4)
        if len(stored) < 4:
            raise PngError(f"chunk {kind!r} runs past the end of the file")
        if struct.unpack(">I", stored)[0] != crc:
            raise PngError(f"chunk {kind!r} has a wrong CRC")
        if kind == b"IHDR":
            if expected is not None:
                raise PngError("IHDR is broken")
            width, height, expected = _read_header(header)
        elif expected is None:
            raise PngError("IHDR is not the first chunk")
        if kind == b"IEND":
            break
    if not inflate.eof or produced != expected:
        raise PngError(f"image data incomplete ({produced} of {expected} bytes)")
    return width, height


def _read_header(header: bytes | None) -> tuple[int, int, int]:
    """Width, height and raw image size from a valid IHDR; :class:`PngError` for any other."""
    if header is None or len(header) != 13:
        raise PngError("IHDR is broken")
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    if colour not in _CHANNELS or depth not in _DEPTHS[colour] or interlace > 1 \
            or not (0 < width <= 0x7FFFFFFF and 0 < height <= 0x7FFFFFFF):
        raise PngError("IHDR describes no valid image")
    return width, height, raw_size(width, height, depth, colour, interlace)


def _inflate(inflate: zlib._Decompress, data: bytes, room: int) -> int:
    """Feed ``data`` to the decompressor; return how many bytes came out (never more than
    ``room`` + one piece: more than the image needs is refused)."""
    if inflate.eof:
        return 0  # data after the end of the stream is ignored, as every reader does
    made = 0
    try:
        while data:
            out = inflate.decompress(data, _READ)
            made += len(out)
            if made > room:
                raise PngError("image data decompresses to more than the image holds")
            data = inflate.unconsumed_tail
            if inflate.eof:
                break
    except zlib.error as exc:
        raise PngError(f"image data is damaged ({exc})") from None
    return made


def clean_copy(data: bytes) -> bytes:
    """The same image with only the chunks it needs and nothing after IEND."""
    info = inspect(data)
    kept = [data[c.offset:c.offset + 12 + c.length] for c in info.chunks if c.type in ALLOWED_CHUNKS]
    return SIGNATURE + b"".join(kept)


# --- writing files -------------------------------------------------------------------------

def write_new_file(path: Path | str, data: bytes) -> Path:
    """Write ``data`` as a new file at ``path``; raises ``FileExistsError`` if anything is there.

    The bytes go to a temporary file in the same folder first (flushed and fsynced), which is
    then hard-linked to the final name — an operation that fails instead of replacing an
    existing file. A crash leaves either no file or the complete one. Where the file system has
    no hard links (FAT, some network shares) the file is created exclusively and written.
    """
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp_name, path)
        except FileExistsError:
            raise
        except OSError:
            with open(path, "xb") as handle:  # "x": fails if the name exists
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
    finally:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
    return path
