"""Shared libraries of the Linux build without the empty megabytes ``patchelf`` left in them.

Wheels repaired by ``auditwheel`` (tesserocr's, among others) carry libraries that ``patchelf``
gave new segments. The originals were linked for 2 MiB pages, so each new segment starts at the
next 2 MiB boundary of the file, and the file is mostly zeros: ``libwebpmux`` holds 37 kB of code
and data in 6.3 MB. Nothing needs that alignment (Linux maps in 4 kiB pages, and the load
address stays aligned to the largest alignment the library asks for), so this module moves each
such segment down to the next 4 kiB page with the same offset within its page, and marks it
4 kiB-aligned. Addresses in memory do not change; only file offsets do (the ELF header's tables,
the program headers, the section headers), so relocations, symbols and the dynamic section stay
as they are.

What is dropped between two blocks (a block runs from one loadable segment's start to the
next) is what no header refers to: the padding, and the section header table ``patchelf`` left
behind when it wrote a new one. Anything after the last block stays. A library is changed only
when it is an ELF file (32 or 64 bit, either byte order) in which every section and both header
tables lie wholly in one block; otherwise it is kept as it is.

    python packaging/pyinstaller/elf_compact.py LIBRARY OUT   # prints the sizes
"""
from __future__ import annotations

import struct
import sys
from dataclasses import dataclass
from pathlib import Path

PAGE = 0x1000
PT_LOAD = 1
SHT_NULL, SHT_NOBITS = 0, 8
WORTH_IT = 64 * 1024  # smaller savings are left alone


@dataclass(frozen=True)
class _Layout:
    endian: str  # "<" or ">"
    wide: bool  # ELFCLASS64
    phoff: int
    phentsize: int
    phnum: int
    shoff: int
    shentsize: int
    shnum: int

    # (offset of the field in the entry, struct format) of what is rewritten
    def ph_fields(self) -> dict[str, tuple[int, str]]:
        if self.wide:
            return {"type": (0, "I"), "offset": (8, "Q"), "vaddr": (16, "Q"), "filesz": (32, "Q"),
                    "align": (48, "Q")}
        return {"type": (0, "I"), "offset": (4, "I"), "vaddr": (8, "I"), "filesz": (16, "I"),
                "align": (28, "I")}

    def sh_fields(self) -> dict[str, tuple[int, str]]:
        if self.wide:
            return {"type": (4, "I"), "offset": (24, "Q"), "size": (32, "Q")}
        return {"type": (4, "I"), "offset": (16, "I"), "size": (20, "I")}


def _layout(data: bytes) -> _Layout | None:
    if len(data) < 52 or data[:4] != b"\x7fELF" or data[4] not in (1, 2) or data[5] not in (1, 2):
        return None
    endian = "<" if data[5] == 1 else ">"
    wide = data[4] == 2
    if wide:
        if len(data) < 64:
            return None
        phoff, shoff = struct.unpack_from(endian + "QQ", data, 32)
        phentsize, phnum, shentsize, shnum = struct.unpack_from(endian + "HHHH", data, 54)
    else:
        phoff, shoff = struct.unpack_from(endian + "II", data, 28)
        phentsize, phnum, shentsize, shnum = struct.unpack_from(endian + "HHHH", data, 42)
    return _Layout(endian, wide, phoff, phentsize, phnum, shoff, shentsize, shnum)


def _read(data: bytes, layout: _Layout, base: int, fields: dict[str, tuple[int, str]]) -> dict[str, int]:
    return {name: struct.unpack_from(layout.endian + fmt, data, base + at)[0]
            for name, (at, fmt) in fields.items()}


def compact(data: bytes) -> bytes | None:
    """``data`` with the empty space between its blocks removed; None when nothing is gained
    (or the file is not one this module may change)."""
    layout = _layout(data)
    if layout is None or layout.phnum == 0:
        return None
    ph_fields, sh_fields = layout.ph_fields(), layout.sh_fields()
    programs = [_read(data, layout, layout.phoff + i * layout.phentsize, ph_fields)
                for i in range(layout.phnum)]
    sections = [_read(data, layout, layout.shoff + i * layout.shentsize, sh_fields)
                for i in range(layout.shnum)] if layout.shoff else []
    header_size = 64 if layout.wide else 52
    # Every byte range something refers to by file offset.
    items = [(0, header_size), (layout.phoff, layout.phnum * layout.phentsize)]
    if layout.shoff:
        items.append((layout.shoff, layout.shnum * layout.shentsize))
    items += [(s["offset"], s["size"]) for s in sections if s["type"] not in (SHT_NULL, SHT_NOBITS)]
    items += [(p["offset"], p["filesz"]) for p in programs if p["filesz"]]
    if any(start + size > len(data) for start, size in items):
        return None
    starts = sorted({0} | {p["offset"] for p in programs if p["type"] == PT_LOAD})
    ends = [*starts[1:], len(data)]
    content_end = []  # where the last item of each block ends
    for start, end in zip(starts, ends, strict=True):
        inside = [(s, n) for s, n in items if start <= s < end]
        if any(s + n > end for s, n in inside):
            return None  # something straddles two blocks
        content_end.append(max([start, *(s + n for s, n in inside)]))
    shifts = [0]
    new_end = content_end[0]
    for index in range(1, len(starts)):
        start = starts[index]
        new_start = new_end + (start - new_end) % PAGE
        shifts.append(start - new_start)
        new_end = content_end[index] - shifts[-1]
    if any(data[content_end[-1]:]):  # something appended to the library: it stays
        new_end += len(data) - content_end[-1]
        content_end[-1] = len(data)
    if len(data) - new_end < WORTH_IT:
        return None

    def shift(offset: int) -> int:
        for start, moved in zip(reversed(starts), reversed(shifts), strict=True):
            if offset >= start:
                return offset - moved
        return offset

    out = bytearray(new_end)
    for start, end, moved in zip(starts, content_end, shifts, strict=True):
        out[start - moved:end - moved] = data[start:end]
    endian = layout.endian
    if layout.wide:
        struct.pack_into(endian + "QQ", out, 32, shift(layout.phoff),
                         shift(layout.shoff) if layout.shoff else 0)
    else:
        struct.pack_into(endian + "II", out, 28, shift(layout.phoff),
                         shift(layout.shoff) if layout.shoff else 0)
    new_phoff = shift(layout.phoff)
    for index, program in enumerate(programs):
        base = new_phoff + index * layout.phentsize
        offset = shift(program["offset"]) if program["filesz"] or program["offset"] else 0
        align = program["align"]
        if program["type"] == PT_LOAD and align > PAGE and (program["vaddr"] - offset) % align:
            align = PAGE  # still a whole page: the kernel maps it as before
        at, fmt = ph_fields["offset"]
        struct.pack_into(endian + fmt, out, base + at, offset)
        at, fmt = ph_fields["align"]
        struct.pack_into(endian + fmt, out, base + at, align)
    if layout.shoff:
        new_shoff = shift(layout.shoff)
        for index, section in enumerate(sections):
            if section["type"] == SHT_NULL:
                continue
            at, fmt = sh_fields["offset"]
            struct.pack_into(endian + fmt, out, new_shoff + index * layout.shentsize + at,
                             shift(section["offset"]))
    return bytes(out)


def compact_file(source: Path, folder: Path) -> Path | None:
    """A compacted copy of ``source`` in ``folder`` (same name), or None when it gains nothing."""
    smaller = compact(source.read_bytes())
    if smaller is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    target.write_bytes(smaller)
    target.chmod(source.stat().st_mode & 0o777)
    return target


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.rsplit("\n\n", 1)[-1].strip(), file=sys.stderr)
        return 2
    source, out = Path(argv[0]), Path(argv[1])
    smaller = compact(source.read_bytes())
    if smaller is None:
        print(f"{source.name}: {source.stat().st_size} bytes, left as it is")
        return 0
    out.write_bytes(smaller)
    print(f"{source.name}: {source.stat().st_size} -> {len(smaller)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
