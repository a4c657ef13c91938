"""A smaller ICU data library for the Linux build: German and English locale data only.

Qt's Linux libraries from the PySide6 wheels link ICU, whose data library
(``libicudata.so.NN``, 31 MB) holds the locale data of every language ICU knows. Report Capture
runs in German or English, so the build carries a ``libicudata.so.NN`` whose data package keeps

* everything that is not tied to one locale (collation base table, normalisation, character
  names and properties, break rules, converters, time zones, plural and unit rules), and
* the locale data of ``root``, ``de*`` and ``en*`` in every tree (``coll``, ``zone``, ``curr`` …),

and leaves out the other languages' locale data, the dictionaries for word breaking in Thai,
Lao, Khmer, Burmese, Chinese and Japanese, and the transliterators (which Qt does not use).
ICU falls back to ``root`` for a locale whose data is absent — the same way it treats a locale it
has never heard of.

The data package format is ICU's "common data" (``CmnD``): a header, a table of contents of
``(name offset, data offset)`` pairs sorted by name, the names, then the items, each 16-byte
aligned. The library is one read-only symbol ``icudtNN_dat`` holding that package, so it is
rebuilt with the C compiler from an assembler file that includes the new package.

    python packaging/pyinstaller/icu_subset.py LIBICUDATA OUT_DIR   # prints what it kept
"""
from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

LANGUAGES = ("de", "en")
_LOCALE_ITEM = re.compile(r"^(?P<lang>[a-z]{2,3})(_[A-Za-z0-9]+)*\.res$")
_DROPPED_TREES = ("translit",)
_NOT_LOCALES = ("res_index.res",)  # each tree's list of its locales
_ALIGN = 16


class IcuSubsetError(Exception):
    """The library is not an ICU data library this module understands."""


@dataclass(frozen=True)
class Package:
    header: bytes
    items: dict[str, bytes]  # name without the package prefix ("coll/de.res") -> item bytes
    prefix: str              # "icudt73l"


def keep_item(name: str, languages: tuple[str, ...] = LANGUAGES) -> bool:
    """True for the items the subset keeps (``name`` without the package prefix)."""
    tree, _, base = name.rpartition("/")
    if tree in _DROPPED_TREES:
        return False
    if base.endswith(".dict"):  # word-break dictionaries of Asian scripts
        return False
    match = _LOCALE_ITEM.match(base)
    return match is None or base in _NOT_LOCALES or match["lang"] in languages


def read_package(data: bytes) -> Package:
    if len(data) < 32 or data[2:4] != b"\xda\x27" or data[12:16] != b"CmnD":
        raise IcuSubsetError("not an ICU common data package (CmnD)")
    if data[8] != 0:
        raise IcuSubsetError("big-endian ICU data is not supported")
    header_size = struct.unpack_from("<H", data, 0)[0]
    toc = data[header_size:]
    (count,) = struct.unpack_from("<I", toc, 0)
    entries = [struct.unpack_from("<II", toc, 4 + 8 * i) for i in range(count)]
    names = [toc[offset:toc.index(b"\0", offset)].decode("ascii") for offset, _ in entries]
    prefixes = {name.split("/", 1)[0] for name in names}
    if len(prefixes) != 1:
        raise IcuSubsetError(f"items of several packages: {sorted(prefixes)[:3]}")
    prefix = prefixes.pop()
    ends = [offset for _, offset in entries[1:]] + [len(toc)]
    items = {name.split("/", 1)[1]: toc[start:end]
             for name, (_, start), end in zip(names, entries, ends, strict=True)}
    return Package(data[:header_size], items, prefix)


def write_package(package: Package) -> bytes:
    names = sorted(package.items)  # ICU finds items by binary search over the sorted names
    full = [f"{package.prefix}/{name}".encode("ascii") + b"\0" for name in names]
    name_start = 4 + 8 * len(names)
    name_offsets, position = [], name_start
    for encoded in full:
        name_offsets.append(position)
        position += len(encoded)
    data_offsets = []
    position = -(-position // _ALIGN) * _ALIGN
    for name in names:
        data_offsets.append(position)
        position += -(-len(package.items[name]) // _ALIGN) * _ALIGN
    out = bytearray(package.header)
    out += struct.pack("<I", len(names))
    for name_offset, data_offset in zip(name_offsets, data_offsets, strict=True):
        out += struct.pack("<II", name_offset, data_offset)
    out += b"".join(full)
    for name, offset in zip(names, data_offsets, strict=True):
        out += b"\0" * (len(package.header) + offset - len(out))
        out += package.items[name]
    return bytes(out)


def _symbol(library: Path) -> tuple[str, int, int]:
    """Name, file offset and size of the ``icudtNN_dat`` symbol (via binutils' readelf)."""
    symbols = subprocess.run(["readelf", "-W", "--dyn-syms", str(library)], capture_output=True,
                             text=True, check=True).stdout
    found = re.search(
        r"^\s*\d+:\s+([0-9a-f]+)\s+(0x[0-9a-f]+|\d+)\s+OBJECT\s+GLOBAL\s+\S+\s+(\d+)\s+(icudt\d+_dat)\s*$",
        symbols, re.MULTILINE)
    if not found:
        raise IcuSubsetError(f"{library.name} has no icudtNN_dat symbol")
    address, size, section, name = int(found[1], 16), int(found[2], 0), int(found[3]), found[4]
    sections = subprocess.run(["readelf", "-W", "--section-headers", str(library)],
                              capture_output=True, text=True, check=True).stdout
    for line in sections.splitlines():
        row = re.match(r"^\s*\[\s*(\d+)\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
        if row and int(row[1]) == section:
            return name, address - int(row[3], 16) + int(row[4], 16), size
    raise IcuSubsetError(f"section {section} of {library.name} not found")


def subset_library(library: Path, out_dir: Path, languages: tuple[str, ...] = LANGUAGES) -> Path:
    """Write ``out_dir/<library name>`` with the subset of ``library``'s data and return it."""
    for tool in ("readelf", "cc"):
        if shutil.which(tool) is None:
            raise IcuSubsetError(f"'{tool}' is needed to rebuild the ICU data library")
    symbol, offset, size = _symbol(library)
    with library.open("rb") as handle:
        handle.seek(offset)
        data = handle.read(size)
    package = read_package(data)
    kept = Package(package.header, {name: item for name, item in package.items.items()
                                    if keep_item(name, languages)}, package.prefix)
    out_dir.mkdir(parents=True, exist_ok=True)
    blob = out_dir / f"{package.prefix}.dat"
    blob.write_bytes(write_package(kept))
    source = out_dir / "icudata.S"
    source.write_text(
        f'.section .rodata\n.globl {symbol}\n.type {symbol}, @object\n.balign {_ALIGN}\n'
        f'{symbol}:\n.incbin "{blob.name}"\n.size {symbol}, .-{symbol}\n'
        '.section .note.GNU-stack,"",@progbits\n', encoding="ascii")
    target = out_dir / library.name
    subprocess.run(["cc", "-shared", "-nostdlib", f"-Wl,-soname,{library.name}", "-o", str(target),
                    source.name], cwd=out_dir, check=True, capture_output=True)
    return target


def main(argv: list[str]) -> int:
    library, out_dir = Path(argv[1]), Path(argv[2])
    target = subset_library(library, out_dir)
    print(f"{library.name}: {library.stat().st_size / 2**20:.1f} MB -> "
          f"{target.stat().st_size / 2**20:.1f} MB ({target})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
