"""The Linux build's smaller ICU data library keeps German and English exactly as the full one."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from packaging_scripts import load

ROOT = Path(__file__).resolve().parents[1]
icu_subset = load("icu_subset")

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the PySide6 wheels carry ICU on Linux only")


def wheel_icudata() -> Path:
    import PySide6

    found = sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))
    assert found, "the PySide6 wheel has no libicudata"
    return found[0]


# What the UI relies on ICU for: locale-aware sorting, case mapping, time-zone names.
PROBE = r"""
import json, sys
from PySide6.QtCore import QCollator, QCoreApplication, QDateTime, QLocale, QTimeZone
app = QCoreApplication([])
words = ["Zebra", "Ärger", "Apfel", "Birne", "Öl", "ähnlich", "Ostern", "Straße", "Strasse"]
out = {}
for name in ("de_DE", "de_AT", "de_CH", "en_US", "en_GB", "sv_SE"):
    out["sort " + name] = sorted(words, key=QCollator(QLocale(name)).sortKey)
    out["upper " + name] = QLocale(name).toUpper("straße ärger")
moment = QDateTime.fromString("2026-11-27T12:00:00Z", "yyyy-MM-ddTHH:mm:ssZ")
for name in ("de_DE", "en_US", "fr_FR"):
    out["zone " + name] = QTimeZone(b"Europe/Berlin").displayName(moment, QTimeZone.LongName, QLocale(name))
print(json.dumps(out, ensure_ascii=False))
"""


def probe(library_dir: Path | None) -> dict:
    import json

    env = dict(os.environ)
    if library_dir is not None:  # searched before the Qt libraries' own RUNPATH
        env["LD_LIBRARY_PATH"] = str(library_dir)
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                            timeout=120, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_keeps_shared_data_and_german_english_locales_only():
    keep = icu_subset.keep_item
    for name in ("coll/ucadata.icu", "root.res", "de.res", "de_CH.res", "en_GB.res", "coll/de.res",
                 "zone/en.res", "brkitr/word.brk", "brkitr/de.res", "zoneinfo64.res", "metaZones.res",
                 "supplementalData.res", "pool.res", "res_index.res", "uts46.nrm", "unames.icu",
                 "ibm-5348_P100-1997.cnv", "cnvalias.icu", "plurals.res", "likelySubtags.res"):
        assert keep(name), name
    for name in ("fr.res", "coll/sv.res", "zone/ja.res", "curr/zh_Hant.res", "lang/ast.res",
                 "brkitr/cjdict.dict", "brkitr/thaidict.dict", "translit/Any_Accents.res"):
        assert not keep(name), name


def test_package_round_trip_is_byte_exact_and_sorted():
    items = {"b/x.res": b"\x01" * 5, "a.res": b"\x02" * 16, "c.cnv": b"\x03"}
    header = bytearray(32)
    header[0:2] = (32).to_bytes(2, "little")
    header[2:4] = b"\xda\x27"
    header[12:16] = b"CmnD"
    package = icu_subset.Package(bytes(header), items, "icudt99l")
    data = icu_subset.write_package(package)
    again = icu_subset.read_package(data)
    assert again.prefix == "icudt99l" and list(again.items) == ["a.res", "b/x.res", "c.cnv"]
    for name, item in items.items():  # items keep their bytes, followed only by alignment padding
        assert again.items[name].startswith(item) and not again.items[name][len(item):].strip(b"\0")


def test_rejects_a_file_that_is_not_icu_data(tmp_path):
    with pytest.raises(icu_subset.IcuSubsetError, match="CmnD"):
        icu_subset.read_package(b"\x7fELF" + bytes(60))
    library = tmp_path / "libicudata.so.73"
    library.write_bytes(b"not an ELF file")
    with pytest.raises((icu_subset.IcuSubsetError, subprocess.CalledProcessError)):
        icu_subset.subset_library(library, tmp_path / "out")


@linux_only
def test_subset_gives_qt_the_same_german_and_english_results(tmp_path):
    library = wheel_icudata()
    smaller = icu_subset.subset_library(library, tmp_path / "icu")
    assert smaller.name == library.name
    assert smaller.stat().st_size < library.stat().st_size / 2
    full, subset = probe(None), probe(smaller.parent)
    for key, value in full.items():
        if "sv_SE" in key or "fr_FR" in key:
            continue
        assert subset[key] == value, key
    assert full["sort de_DE"][:3] == ["ähnlich", "Apfel", "Ärger"]  # the probe does measure ICU
    assert full["zone de_DE"] == "Mitteleuropäische Normalzeit"
    # A language left out falls back to the root collation and English names, as ICU does for
    # any locale it has no data for.
    assert subset["sort sv_SE"] == subset["sort en_US"] != full["sort sv_SE"]
    assert subset["zone fr_FR"] == full["zone en_US"]
