"""Render the app icon's PNG sizes from resources/icons/report-capture.svg, and the tray icon's
(run after changing either).

The app shows these PNGs (resources/icons/app/): an icon from the SVG would load Qt's SVG
module into an app that idles in the tray all day. A test checks they match the SVG.

    python packaging/icons/render_pngs.py
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent
SVG = HERE.parents[1] / "resources" / "icons" / "report-capture.svg"
PNGS = HERE.parents[1] / "resources" / "icons" / "app"
TRAY = HERE.parents[1] / "resources" / "icons" / "tray"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def main() -> int:
    app = QGuiApplication(sys.argv[:1])  # noqa: F841 - fonts and painting need it
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print("report-capture.svg could not be read", file=sys.stderr)
        return 1
    for size in SIZES:
        image = QImage(size, size, QImage.Format_ARGB32)
        image.fill(Qt.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.Antialiasing)
        renderer.render(painter)
        painter.end()
        target = PNGS / f"report-capture-{size}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        image.save(str(target), "PNG")
        print(target.relative_to(HERE.parents[1]))
    write_tray_icons()
    write_ico()
    return 0


def write_tray_icons() -> None:
    """The tray icon without a badge, in each support state and size (the app draws only the
    badge with the number of queued reports itself)."""
    sys.path.insert(0, str(HERE.parents[1]))
    from capture_app.ui.hours.tray import COLOURS, ICON_SIZES, draw_status_pixmap

    for state in COLOURS:
        for size in ICON_SIZES:
            target = TRAY / f"{state}-{size}.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            draw_status_pixmap(state, 0, size).save(str(target), "PNG")
            print(target.relative_to(HERE.parents[1]))


def write_ico() -> None:
    """The Windows icon (installer, shortcuts, executable), several sizes in one file."""
    from PIL import Image

    target = HERE.parent / "windows" / "report-capture.ico"
    largest = Image.open(PNGS / "report-capture-256.png")
    largest.save(target, format="ICO", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    print(target.relative_to(HERE.parent))


if __name__ == "__main__":
    sys.exit(main())
