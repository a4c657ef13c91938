"""The Linux build's libraries without patchelf's empty megabytes still load and work."""
from __future__ import annotations

import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from packaging_scripts import load

ROOT = Path(__file__).resolve().parents[1]
elf_compact = load("elf_compact")

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="patchelf's layout is a Linux wheel's")


def loadable(data: bytes) -> list[tuple[int, int, bytes]]:
    """(address, alignment, bytes) of each loadable segment: what the loader maps, apart from
    the tables of file offsets, which change (the ELF header, the program and section headers;
    patchelf puts the latter in a loadable segment, where nothing at run time reads it)."""
    phoff, shoff = struct.unpack_from("<QQ", data, 32)
    phentsize, phnum, shentsize, shnum = struct.unpack_from("<HHHH", data, 54)
    tables = bytearray(data)
    tables[:64] = bytes(64)
    tables[phoff:phoff + phentsize * phnum] = bytes(phentsize * phnum)
    tables[shoff:shoff + shentsize * shnum] = bytes(shentsize * shnum)
    out = []
    for index in range(phnum):
        kind, _flags, offset, vaddr, _paddr, filesz, _memsz, align = struct.unpack_from(
            "<IIQQQQQQ", data, phoff + index * phentsize)
        if kind == 1:
            out.append((vaddr, align, bytes(tables[offset:offset + filesz])))
    return out


def tesserocr_copy(folder: Path) -> Path:
    """tesserocr's extension and the libraries its wheel carries, copied into ``folder``."""
    tesserocr = pytest.importorskip("tesserocr")
    package = Path(tesserocr.__file__).parent
    site = package.parent
    libs = site / "tesserocr.libs"
    if not libs.is_dir():
        pytest.skip("this tesserocr was not installed from a manylinux wheel")
    shutil.copytree(package, folder / "tesserocr")
    shutil.copytree(libs, folder / "tesserocr.libs")
    return folder


# The self-test's check of text recognition, with the copy's Tesseract: every library loads
# and reads an e-mail address and a phone number drawn by Qt.
OCR = r"""
import sys
sys.path.insert(0, sys.argv[1])
import tesserocr
assert tesserocr.__file__.startswith(sys.argv[1]), tesserocr.__file__
from PySide6.QtGui import QGuiApplication
from capture_app.self_test import _qt_text_recognition
app = QGuiApplication(["ocr", "-platform", "offscreen"])
print(_qt_text_recognition())
maps = open("/proc/self/maps").read()
print(len({line.split()[-1] for line in maps.splitlines() if sys.argv[1] in line}))
"""


@linux_only
def test_tesserocr_libraries_shrink_and_still_read_text(tmp_path):
    folder = tesserocr_copy(tmp_path)
    libraries = sorted((folder / "tesserocr.libs").iterdir())
    before = {path.name: path.read_bytes() for path in libraries}
    for path in libraries:
        smaller = elf_compact.compact_file(path, tmp_path / "out")
        if smaller is not None:
            shutil.move(smaller, path)
    after = {path.name: path.read_bytes() for path in libraries}
    assert sum(map(len, after.values())) < sum(map(len, before.values())) / 2
    for name, data in after.items():
        # The loader maps the same bytes at the same addresses; only file offsets moved.
        assert [(vaddr, content) for vaddr, _, content in loadable(data)] == \
               [(vaddr, content) for vaddr, _, content in loadable(before[name])], name
    result = subprocess.run([sys.executable, "-c", OCR, str(folder)], capture_output=True, text=True,
                            timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    text, mapped = result.stdout.splitlines()
    assert text == "reads an e-mail address and a phone number"
    assert int(mapped) == len(libraries) + 1  # every library of the copy, and the extension


def padded_library() -> bytes:
    """A small ELF shared object laid out as patchelf leaves it: a second loadable segment at the
    next 2 MiB of the file, the old section header table left behind in between."""
    header = bytearray(64)
    header[:4] = b"\x7fELF"
    header[4:7] = bytes((2, 1, 1))
    programs = [(1, 0, 0x0, 0x0, 0x300, 0x200000), (1, 0, 0x200000, 0x400000, 0x100, 0x200000),
                (2, 0, 0x200040, 0x400040, 0x40, 8)]  # DYNAMIC inside the second segment
    sections = [(0, 0, 0, 0), (1, 0x100, 0x100, 0x50), (1, 0x400000, 0x200000, 0x100)]
    shoff = 0x200100
    struct.pack_into("<QQ", header, 32, 64, shoff)
    struct.pack_into("<HHHHHH", header, 52, 64, 56, len(programs), 64, len(sections), 0)
    data = bytearray(shoff + 64 * len(sections))
    data[:64] = header
    for index, (kind, flags, offset, vaddr, size, align) in enumerate(programs):
        struct.pack_into("<IIQQQQQQ", data, 64 + 56 * index, kind, flags, offset, vaddr, vaddr,
                         size, size, align)
    data[0x100:0x150] = b"\xaa" * 0x50
    data[0x1000:0x1040] = b"\x55" * 0x40  # the stale section header table: nothing refers to it
    data[0x200000:0x200100] = bytes(range(256))
    for index, (kind, addr, offset, size) in enumerate(sections):
        struct.pack_into("<IIQQQQ", data, shoff + 64 * index, 0, kind, 0, addr, offset, size)
    return bytes(data)


def test_padding_between_segments_goes_and_every_offset_follows():
    data = padded_library()
    smaller = elf_compact.compact(data)
    assert smaller is not None and len(smaller) < 0x3000
    segments = loadable(smaller)
    assert [(vaddr, content) for vaddr, _, content in segments] == \
           [(vaddr, content) for vaddr, _, content in loadable(data)]
    assert [align for _, align, _ in segments] == [0x200000, 0x1000]  # the moved one: page-aligned
    # The dynamic segment and the sections still point at their bytes.
    phoff, shoff = struct.unpack_from("<QQ", smaller, 32)
    _, _, dyn_offset = struct.unpack_from("<IIQ", smaller, phoff + 2 * 56)
    assert smaller[dyn_offset:dyn_offset + 0x40] == bytes(range(0x40, 0x80))
    section_offset, = struct.unpack_from("<Q", smaller, shoff + 2 * 64 + 24)
    assert smaller[section_offset:section_offset + 0x100] == bytes(range(256))
    assert b"\x55" * 0x40 not in smaller


def test_a_library_without_padding_or_not_elf_is_left_as_it_is(tmp_path):
    packed = padded_library()[:0x300]  # one segment only: nothing to gain
    packed = bytearray(packed)
    struct.pack_into("<HH", packed, 56, 1, 64)  # one program header; no sections
    struct.pack_into("<Q", packed, 40, 0)
    struct.pack_into("<H", packed, 60, 0)
    assert elf_compact.compact(bytes(packed)) is None
    assert elf_compact.compact(b"MZ" + bytes(200)) is None
    text = tmp_path / "notes.txt"
    text.write_text("kein ELF", encoding="utf-8")
    assert elf_compact.compact_file(text, tmp_path / "out") is None
    assert not (tmp_path / "out").exists()


def test_a_section_across_two_segments_keeps_the_file_as_it_is():
    data = bytearray(padded_library())
    shoff, = struct.unpack_from("<Q", data, 40)
    struct.pack_into("<QQ", data, shoff + 64 + 24, 0x100, 0x200010)  # runs into the next block
    assert elf_compact.compact(bytes(data)) is None
