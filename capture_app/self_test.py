"""``capture-app --self-test``: is everything the app needs really there?

Meant for the frozen (PyInstaller) build and for IT after a rollout: loads every resource in
both languages, imports every module of the app, and starts Qt far enough to show that its
platform, image-format and icon plugins are present. Prints one line per check and exits
non-zero if anything is missing.
"""
from __future__ import annotations

import importlib
import json
import os
import pkgutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

Check = tuple[str, Callable[[], object]]


def _triage_search() -> object:
    # What the agent types in the first step is matched with rapidfuzz's compiled matchers; its
    # pure-Python fallback would make every keystroke wait.
    from rapidfuzz import fuzz, process

    from capture_app.core.triage.catalogue import builtin_catalogue
    from capture_app.core.triage.search import SearchIndex

    fallback = [f.__module__ for f in (fuzz.ratio, fuzz.partial_ratio, process.extract)
                if f.__module__.endswith("_py")]
    if fallback:
        raise RuntimeError(f"rapidfuzz without its compiled matchers: {fallback}")
    found = SearchIndex(builtin_catalogue()).search("Kamera vom Kunden bleibt schwarz")
    if not found or found[0].case.id != "camera_microphone_blocked":
        raise RuntimeError(f"'Kamera … schwarz' found {[m.case.id for m in found]}")
    return found[0].case.id


def _resources() -> list[Check]:
    from capture_app.core.platform import i18n, resources
    from capture_app.core.platform.config import settings_table
    from capture_app.core.triage.catalogue import builtin_catalogue

    def settings() -> object:
        table = settings_table()
        bad = [key for key, setting in table.items() if not setting.is_valid(setting.default)]
        if bad:
            raise ValueError(f"invalid defaults: {bad}")
        return len(table)

    def catalogues() -> object:
        de, en = i18n.catalogue("de"), i18n.catalogue("en")
        if not de or set(de) != set(en):
            raise ValueError(f"languages differ: {sorted(set(de) ^ set(en))[:5]}")
        return len(de)

    return [
        ("resources folder", resources.resource_root),
        ("settings.toml", settings),
        ("texts de/en", catalogues),
        ("triage.toml", lambda: len(builtin_catalogue().cases)),
        ("triage search", _triage_search),
        ("report.schema.json", lambda: json.loads(resources.read_text("report.schema.json"))["$schema"]),
        ("report.css", lambda: len(resources.read_text("report.css"))),
        ("icons/report-capture.svg", lambda: len(resources.read_bytes("icons", "report-capture.svg"))),
    ]


def _modules() -> list[Check]:
    import capture_app

    def import_all() -> object:
        # A frozen build ships the list of modules it was built from: each must be there.
        shipped = Path(getattr(sys, "_MEIPASS", "")) / "capture_app_modules.txt"
        if getattr(sys, "frozen", False) and shipped.is_file():
            names = shipped.read_text(encoding="utf-8").split()
        else:
            names = [info.name for info in pkgutil.walk_packages(capture_app.__path__, "capture_app.")]
        if len(names) < 10:
            raise ImportError(f"only {len(names)} modules found")
        for name in names:
            importlib.import_module(name)
        return len(names)

    def standard_library() -> object:
        import sqlite3
        import ssl
        import zoneinfo

        zoneinfo.ZoneInfo("Europe/Berlin")  # Windows has no zone database of its own
        sqlite3.connect(":memory:").execute("PRAGMA journal_mode=WAL").fetchone()
        return ssl.OPENSSL_VERSION

    def step_hooks() -> object:
        # What recording steps needs: X11's RECORD and every extension module python-xlib
        # imports by name when it opens a display; pynput's backend elsewhere.
        if sys.platform.startswith("linux"):
            import Xlib.ext
            import Xlib.ext.record

            for _name, module in getattr(Xlib.ext, "__extensions__", ()):
                importlib.import_module(f"Xlib.ext.{module}")
            return "python-xlib"
        import pynput  # noqa: F401

        return "pynput"

    return [("app modules", import_all), ("sqlite3, ssl, time zones", standard_library),
            ("step recorder hooks", step_hooks)]


def _qt_application() -> object:
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication(sys.argv[:1])
    return QApplication.platformName()


def _qt_image_formats() -> object:
    from PySide6.QtGui import QImageReader, QImageWriter

    readable = {bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()}
    writable = {bytes(f.data()).decode() for f in QImageWriter.supportedImageFormats()}
    missing = ({"png", "jpg", "gif", "bmp", "svg", "webp"} - readable) | ({"png", "jpg"} - writable)
    if missing:
        raise RuntimeError(f"image formats missing: {sorted(missing)}")
    return ", ".join(sorted(readable & {"png", "jpg", "gif", "bmp", "svg", "webp"}))


def _qt_icon() -> object:
    from PySide6.QtGui import QIcon

    from capture_app.core.platform.resources import resource_path

    pixmap = QIcon(str(resource_path("icons", "report-capture.svg"))).pixmap(64, 64)
    if pixmap.isNull():
        raise RuntimeError("the SVG icon engine cannot draw the app icon")
    return f"{pixmap.width()}x{pixmap.height()}"


def _qt_collation() -> object:
    # German sorting needs the platform's collation data (ICU's on Linux, where the build
    # carries a German/English subset of it): "Ärger" belongs between "Apfel" and "Birne".
    from PySide6.QtCore import QCollator, QLocale

    words = sorted(["Birne", "Ärger", "Apfel"], key=QCollator(QLocale("de_DE")).sortKey)
    if words != ["Apfel", "Ärger", "Birne"]:
        raise RuntimeError(f"German collation data missing: {words}")
    return " < ".join(words)


def _qt_local_socket() -> object:
    from PySide6.QtNetwork import QLocalServer

    return QLocalServer.__name__


def _qt_qt_texts() -> object:
    # Yes/No and the folder picker in German come from Qt's own translation file.
    from PySide6.QtCore import QTranslator

    from capture_app.ui.platform.qt_language import qt_translations_folder

    translator = QTranslator()
    if not translator.load("qtbase_de", qt_translations_folder()):
        raise RuntimeError(f"qtbase_de.qm missing in {qt_translations_folder()}")
    yes = translator.translate("QPlatformTheme", "&Yes")
    if yes != "&Ja":
        raise RuntimeError(f"qtbase_de.qm translates Yes as {yes!r}")
    return yes.replace("&", "")


def _qt_text_recognition() -> object:
    # Screenshots are checked for personal data by reading their text (the 'ocr' extra):
    # a built app must carry Tesseract and its model; a source install may go without.
    from PySide6.QtGui import QColor, QFont, QImage, QPainter

    from capture_app.core.privacy import screen_text
    from capture_app.ui.evidence.screenshot_check import check_image

    if not screen_text.engine_available():
        if getattr(sys, "frozen", False):
            raise RuntimeError("tesserocr or its model is not in this build")
        return "skipped: not installed (extra 'ocr')"
    image = QImage(640, 80, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    font = QFont()
    font.setPixelSize(20)
    painter.setFont(font)
    painter.drawText(10, 50, "Mail: test.person@example.de Tel. 0171 2345678")
    painter.end()
    found = sorted(place.kind for place in check_image(image).places)
    if found != ["email", "phone"]:
        raise RuntimeError(f"a test picture gave {found}, not an e-mail and a phone number")
    return "reads an e-mail address and a phone number"


def _qt() -> list[Check]:
    return [("Qt platform plugin", _qt_application), ("Qt image formats", _qt_image_formats),
            ("Qt SVG icons", _qt_icon), ("German collation", _qt_collation), ("Qt network", _qt_local_socket),
            ("Qt's German texts", _qt_qt_texts), ("text recognition", _qt_text_recognition)]


def run(out: TextIO = sys.stdout) -> int:
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY")
                                                 or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from capture_app.core.platform import i18n

    checks = _resources() + _modules() + _qt()
    failed = 0
    for name, check in checks:
        try:
            detail = check()
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none stops the rest
            failed += 1
            print(f"{_text(i18n, 'cli.self_test_failed', 'MISSING')}  {name}: "
                  f"{type(exc).__name__}: {exc}", file=out)
        else:
            print(f"{_text(i18n, 'cli.self_test_ok', 'OK')}  {name}: {detail}", file=out)
    if failed:
        print(_text(i18n, "cli.self_test_summary_failed", "self-test failed",
                    failed=failed, count=len(checks)), file=out)
        return 1
    print(_text(i18n, "cli.self_test_summary_ok", "self-test passed", count=len(checks)), file=out)
    return 0


def _text(i18n, key: str, fallback: str, **params) -> str:
    """The translated text, or a plain fallback if the texts themselves are what is missing."""
    try:
        text = i18n.tr(key, **params)
    except Exception:  # noqa: BLE001
        return fallback
    return fallback if text.startswith("⟦") else text
