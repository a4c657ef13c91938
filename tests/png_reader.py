"""Reading back the PNGs our encoder writes, by hand: IHDR, the IDAT stream, filter-0 rows."""
from __future__ import annotations

import zlib

from capture_app.core.evidence import png


def decode_rgb_png(data: bytes) -> tuple[int, int, bytes]:
    info = png.inspect(data)
    idat = b"".join(data[c.offset + 8:c.offset + 8 + c.length] for c in info.chunks if c.type == b"IDAT")
    raw = zlib.decompress(idat)
    row = info.width * 3 + 1
    assert len(raw) == row * info.height
    assert all(raw[y * row] == 0 for y in range(info.height))
    return info.width, info.height, b"".join(raw[y * row + 1:(y + 1) * row] for y in range(info.height))
