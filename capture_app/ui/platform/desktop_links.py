"""Handing things to the desktop: a folder to the file manager, a phone number to the dialler.

``open_folder`` shows an exported bundle's folder. ``call_or_show_number`` dials only where a
program handles ``tel:`` links (core/platform/tel_handler.py, asked in the background); elsewhere it
shows the number with *Nummer kopieren*. Both take the opener as an argument, so a test can see
which address would have been opened.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from capture_app import APP_NAME
from capture_app.core.hours.support_hours import phone_uri
from capture_app.core.platform.i18n import tr
from capture_app.core.platform.tel_handler import tel_handler_available


def desktop_open(url: QUrl) -> bool:
    return QDesktopServices.openUrl(url)


def open_folder(folder: Path, parent: QWidget | None = None,
                opener: Callable[[QUrl], bool] | None = None) -> bool:
    """Show ``folder`` in the file manager; if none opens, say where it is."""
    if (opener or desktop_open)(QUrl.fromLocalFile(str(folder))):
        return True
    QMessageBox.warning(parent, APP_NAME, tr("ui.desktop.folder_not_opened", path=str(folder)))
    return False


class _BoxWithAction(QMessageBox):
    """A message box with one more button, kept by name for its callers and tests."""

    open_button: QPushButton
    copy_button: QPushButton


def show_exported(parent: QWidget | None, title: str, text: str, folder: Path,
                  opener: Callable[[QUrl], bool] | None = None) -> QMessageBox:
    """"Paket exportiert" with *Ordner öffnen* next to *OK* (not modal: the wizard stays usable)."""
    box = _BoxWithAction(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok,
                         parent)
    box.setAccessibleName(title)
    box.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    box.open_button = box.addButton(tr("ui.desktop.open_folder"),
                                    QMessageBox.ButtonRole.ActionRole)
    box.open_button.setAccessibleName(tr("ui.desktop.open_folder").replace("&", ""))
    box.open_button.clicked.connect(lambda: open_folder(folder, parent, opener))
    ok = box.button(QMessageBox.StandardButton.Ok)
    if ok is not None:
        ok.setAccessibleName("OK")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.show()
    return box


def number_box(phone: str, hours: str, parent: QWidget | None = None) -> QMessageBox:
    """The number to dial by hand, with *Nummer kopieren*."""
    box = _BoxWithAction(QMessageBox.Icon.Information, APP_NAME,
                         tr("tray.call_manually", phone=phone, hours=hours),
                         QMessageBox.StandardButton.Close, parent)
    box.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    box.copy_button = box.addButton(tr("ui.desktop.copy_number"), QMessageBox.ButtonRole.ActionRole)
    box.copy_button.setAccessibleName(tr("ui.desktop.copy_number").replace("&", ""))
    box.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(phone))
    close = box.button(QMessageBox.StandardButton.Close)
    if close is not None:
        close.setAccessibleName(close.text().replace("&", ""))
    box.setDefaultButton(box.copy_button)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return box


def call_or_show_number(phone: str, hours: str, on_shown: Callable[[QMessageBox], None], *,
                        parent: QWidget | None = None,
                        available: Callable[[], bool] = tel_handler_available,
                        opener: Callable[[QUrl], bool] | None = None) -> None:
    """Dial ``phone`` where a program handles ``tel:``; otherwise show it to copy (``on_shown``
    gets the box, to keep it alive and for tests)."""
    from capture_app.ui.platform.tasks import run_in_background

    def decided(can_dial: bool) -> None:
        if can_dial and (opener or desktop_open)(QUrl(phone_uri(phone))):
            return
        box = number_box(phone, hours, parent)
        box.show()
        on_shown(box)

    run_in_background(available, on_success=decided, on_error=lambda _exc: decided(False))
