"""Size of the frozen one-folder build, against a bare PySide6 window frozen with PyInstaller's
defaults.

    python benchmarks/bundle_size.py

Builds both with PyInstaller in a temporary folder (a few minutes). Target: the app's folder is
at most 120 MB (no Qt WebEngine). The bare build carries every Qt plugin, all of ICU's locale data
and the desktop's system libraries; the app's spec leaves those out (see its comments), so the
ratio shows what that saves beyond what the app's own code and libraries add. Sizes are the
sum of the files' sizes in each folder (symbolic links not followed). Exit status 1 when the
target is missed.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_MB = 120

BARE = '''
import sys
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication(sys.argv[:1])
window = QWidget()
window.show()
'''


def folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink())


def pyinstaller(args: list[str], work: Path) -> None:
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "ERROR",
                    "--workpath", str(work / "build"), *args], check=True, cwd=ROOT)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pyinstaller(["--distpath", str(work / "dist"),
                     str(ROOT / "packaging" / "pyinstaller" / "report-capture.spec")], work)
        script = work / "bare.py"
        script.write_text(BARE, encoding="utf-8")
        pyinstaller(["--distpath", str(work / "bare-dist"), "--specpath", str(work), "--onedir",
                     "--name", "bare", "--strip" if os.name != "nt" else "--noupx", str(script)], work)
        app = folder_size(work / "dist" / "ReportCapture")
        bare = folder_size(work / "bare-dist" / "bare")
        parts = {p.name: folder_size(p) if p.is_dir() else p.stat().st_size
                 for p in (work / "dist" / "ReportCapture" / "_internal").iterdir()
                 if not p.is_symlink()}
    mb = 1024 * 1024
    print("both built here with PyInstaller (one folder): the app from packaging/pyinstaller/"
          "report-capture.spec, a bare PySide6 window with PyInstaller's defaults; size = the sum "
          "of the files in each folder, symbolic links not followed")
    print(f"{'what':<32}{'MB':>10}")
    print(f"{'bare PySide6 window':<32}{bare / mb:>10.1f}")
    print(f"{'Report Capture':<32}{app / mb:>10.1f}")
    print("largest parts of Report Capture:")
    for name, size in sorted(parts.items(), key=lambda item: -item[1])[:8]:
        print(f"  {name:<30}{size / mb:>10.1f}")
    ratio = app / bare
    print(f"{'ratio app/bare':<32}{ratio:>10.2f}   (target: app <= {TARGET_MB} MB)")
    met = app / mb <= TARGET_MB
    print(json.dumps({"benchmark": "bundle_size",
                      "figures": {"app_mb": round(app / mb, 1), "bare_pyside6_mb": round(bare / mb, 1),
                                  "ratio": round(ratio, 3)},
                      "targets": {"app_mb_max": TARGET_MB}, "met": met}))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
