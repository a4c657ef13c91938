"""The desktop takes over: the exported bundle's folder opens in the file manager, and the
support number is dialled only where a program dials ``tel:`` links — otherwise it is shown
with a button to copy it."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from capture_app.core.platform.tel_handler import (
    linux_handler,
    tel_handler_available,
    windows_handler,
)
from capture_app.core.wizard.steps import Step

pytestmark = pytest.mark.gui


def message_box(title: str) -> QMessageBox | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox) and widget.isVisible() and widget.windowTitle() == title:
            return widget
    return None


def buttons_by_text(box: QMessageBox) -> dict:
    return {button.text().replace("&", ""): button for button in box.buttons()}


def test_exported_bundle_offers_to_open_its_folder(controller, qtbot, tmp_path, monkeypatch):
    from sendhelpers.reports import stored_report

    opened: list[QUrl] = []
    monkeypatch.setattr("capture_app.ui.platform.desktop_links.desktop_open",
                        lambda url: opened.append(url) or True)
    out = tmp_path / "Exporte"
    out.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(out))
    report = stored_report(controller.store)
    window = controller.resume(report.id)
    page = window.pages[Step.REVIEW]
    qtbot.waitUntil(lambda: page.review is not None, timeout=10_000)
    qtbot.mouseClick(page.export_button, Qt.LeftButton)  # "Exportieren …"
    qtbot.waitUntil(lambda: message_box("Paket exportiert") is not None, timeout=20_000)
    box = message_box("Paket exportiert")
    [bundle] = list(out.iterdir())
    assert str(bundle) in box.text()
    buttons = buttons_by_text(box)
    assert "Ordner öffnen" in buttons and "OK" in buttons
    qtbot.mouseClick(buttons["Ordner öffnen"], Qt.LeftButton)
    assert [url.toLocalFile() for url in opened] == [str(out)]
    box.close()


def test_a_folder_that_cannot_be_opened_is_named(qtbot, tmp_path, no_dialogs):
    from capture_app.ui.platform.desktop_links import open_folder

    assert not open_folder(tmp_path, opener=lambda url: False)
    [(kind, text)] = no_dialogs
    assert kind == "warning" and str(tmp_path) in text and "Dateimanager" in text


# --- "Anrufen" --------------------------------------------------------------------------------


@pytest.fixture
def xdg_home(tmp_path, monkeypatch):
    """A private XDG configuration: tel: handled by a dialler only when ``register`` is called."""
    config, data = tmp_path / "xdg-config", tmp_path / "xdg-data"
    (data / "applications").mkdir(parents=True)
    config.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "none"))
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "none"))
    for name in ("XDG_CURRENT_DESKTOP", "DESKTOP_SESSION", "KDE_FULL_SESSION", "GNOME_DESKTOP_SESSION_ID"):
        monkeypatch.delenv(name, raising=False)

    def register() -> None:
        (data / "applications" / "dialler.desktop").write_text(
            "[Desktop Entry]\nType=Application\nName=Dialler\nExec=/bin/true %u\n"
            "MimeType=x-scheme-handler/tel;\n", encoding="utf-8")
        (config / "mimeapps.list").write_text(
            "[Default Applications]\nx-scheme-handler/tel=dialler.desktop\n", encoding="utf-8")

    def unregister() -> None:
        (config / "mimeapps.list").unlink()
        (data / "applications" / "dialler.desktop").unlink()

    return register, unregister


def test_xdg_mime_tells_whether_a_program_dials_tel_links(xdg_home):
    register, unregister = xdg_home
    assert linux_handler() == "" and not tel_handler_available("linux")
    register()
    assert linux_handler() == "dialler.desktop" and tel_handler_available("linux")
    unregister()
    assert not tel_handler_available("linux")
    assert not tel_handler_available("linux", which=lambda name: None)  # no xdg-utils at all


class FakeRegistry:
    """winreg's interface over recorded keys."""

    HKEY_CURRENT_USER, HKEY_CLASSES_ROOT = "HKCU", "HKCR"

    def __init__(self, values: dict) -> None:
        self.values = values

    def OpenKey(self, root, key):
        if (root, key) not in self.values:
            raise FileNotFoundError(key)
        registry = self

        class Handle:
            def __enter__(self):
                return (root, key)

            def __exit__(self, *exc):
                return False

        self.opened = registry
        return Handle()

    def QueryValueEx(self, handle, name):
        return self.values[handle], 1


def test_windows_and_macos_answers():
    choice = r"Software\Microsoft\Windows\Shell\Associations\UrlAssociations\tel\UserChoice"
    assert windows_handler(FakeRegistry({("HKCU", choice): "Teams.tel"})) == "Teams.tel"
    assert windows_handler(FakeRegistry({("HKCR", r"tel\shell\open\command"): "skype.exe %1"}))
    assert not tel_handler_available("win32", registry=FakeRegistry({}))
    assert tel_handler_available("darwin")  # FaceTime


def test_call_dials_only_with_a_dialler_and_otherwise_offers_the_number_to_copy(
        controller, qtbot, xdg_home, monkeypatch, tmp_path):
    from datetime import datetime, timezone

    from capture_app.ui.hours.presence import Presence

    register, unregister = xdg_home
    dialled: list[str] = []
    monkeypatch.setattr("capture_app.ui.platform.desktop_links.desktop_open",
                        lambda url: dialled.append(url.toString()) or True)
    presence = Presence(controller, clock=lambda: datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc),
                        tray_available=False, agent_zone="Europe/Berlin", interval_ms=3_600_000)
    controller.presence = presence
    try:
        presence.start()
        qtbot.waitUntil(lambda: presence.hours is not None, timeout=20_000)
        button = presence.launcher.buttons["call"]
        assert button.text() == "Support &anrufen: +49 30 2206623 33 (Mo–Fr 09:00–18:00 Uhr)"
        register()
        qtbot.mouseClick(button, Qt.LeftButton)
        qtbot.waitUntil(lambda: dialled == ["tel:+4930220662333"], timeout=10_000)

        unregister()
        qtbot.mouseClick(button, Qt.LeftButton)  # no program for tel: any more
        qtbot.waitUntil(lambda: presence.call_box is not None, timeout=10_000)
        box = presence.call_box
        assert box.isVisible() and "+49 30 2206623 33" in box.text() and "von Hand" in box.text()
        assert dialled == ["tel:+4930220662333"]  # nothing handed to a missing program
        copy = buttons_by_text(box)["Nummer kopieren"]
        qtbot.mouseClick(copy, Qt.LeftButton)
        assert QApplication.clipboard().text() == "+49 30 2206623 33"
    finally:
        presence.stop()
        controller.presence = None
        QApplication.instance().setQuitOnLastWindowClosed(True)
