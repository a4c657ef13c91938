"""When there is no tray (GNOME without an extension, some kiosk sessions): a small launcher
window with the same commands, and reminders as desktop notifications.

Reminders are never silently dropped: they go to the desktop's notification service
(``org.freedesktop.Notifications`` on the session D-Bus) and are also shown in the launcher
itself, which is raised and asks for attention if the notification could not be delivered.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from capture_app import APP_NAME
from capture_app.core.platform.i18n import tr
from capture_app.ui.hours.tray import Entry, draw_status_pixmap
from capture_app.ui.platform import theme
from capture_app.ui.platform.close_key import close_on_alt_f4
from capture_app.ui.platform.screen_fit import StayOnScreen

NOTIFY_TIMEOUT_S = 3.0


class NotificationError(Exception):
    """The desktop notification could not be delivered; the text names the reason."""


class DesktopNotifier:
    """Sends notifications to the freedesktop notification service on the session bus.

    ``send`` blocks (a D-Bus round trip): call it through ``run_in_background``.
    """

    def __init__(self, bus_address: str | None = None) -> None:
        self.bus_address = bus_address

    def address(self) -> str | None:
        """The session bus: given, from the environment, or systemd's per-user socket."""
        if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
            return None
        if self.bus_address or os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            return self.bus_address or os.environ["DBUS_SESSION_BUS_ADDRESS"]
        runtime = os.environ.get("XDG_RUNTIME_DIR")
        if runtime and (Path(runtime) / "bus").exists():
            return f"unix:path={Path(runtime) / 'bus'}"
        return None

    def available(self) -> bool:
        return self.address() is not None

    def send(self, title: str, body: str, *, timeout_ms: int = -1) -> int:
        """Show a notification; returns the server's id for it."""
        address = self.address()
        if address is None:
            raise NotificationError("no D-Bus session")
        try:
            from jeepney import DBusAddress, DBusErrorResponse, new_method_call
            from jeepney.io.blocking import open_dbus_connection
            from jeepney.wrappers import unwrap_msg
        except ImportError as exc:
            raise NotificationError(f"jeepney: {exc}") from exc
        target = DBusAddress("/org/freedesktop/Notifications",
                              bus_name="org.freedesktop.Notifications",
                              interface="org.freedesktop.Notifications")
        message = new_method_call(target, "Notify", "susssasa{sv}i", (
            APP_NAME, 0, "dialog-information", title, body, [],
            {"urgency": ("y", 1), "desktop-entry": ("s", "report-capture")}, timeout_ms))
        try:
            with open_dbus_connection(bus=address) as connection:
                reply = connection.send_and_get_reply(message, timeout=NOTIFY_TIMEOUT_S)
                return int(unwrap_msg(reply)[0])
        except DBusErrorResponse as exc:
            raise NotificationError(exc.name or "D-Bus error") from exc
        except (OSError, TimeoutError, ValueError, KeyError) as exc:
            raise NotificationError(type(exc).__name__ + (f": {exc}" if str(exc) else "")) from exc


class LauncherWindow(QWidget):
    """The tray's commands as buttons, the support status, and the last reminder."""

    open_reminder = Signal()
    snooze_reminder = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle(tr("tray.launcher_title"))
        close_on_alt_f4(self)
        self.setAccessibleName(tr("tray.launcher_title"))
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        # The window grows with a reminder banner instead of squeezing its wrapped texts.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addLayout(self._build_status())
        layout.addWidget(self._build_banner())
        layout.addWidget(self._build_report_button())
        self.grid = QGridLayout()
        layout.addLayout(self.grid)
        self.buttons: dict[str, QPushButton] = {}
        # Grown (a reminder, the longer status while support is closed) or shown again: its
        # edges must stay inside the screen's free area, above the taskbar.
        StayOnScreen(self)
        self.hint = QLabel(tr("tray.launcher_hint"))
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self._quitting = False

    def _build_status(self) -> QHBoxLayout:
        """The status icon with support's state, today's hours and the outbox in words."""
        status_row = QHBoxLayout()
        self.status_icon = QLabel()
        self.status_icon.setPixmap(draw_status_pixmap("unknown", 0, 32))
        self.status_icon.setAccessibleName(tr("tray.status_icon"))
        status_row.addWidget(self.status_icon)
        texts = QVBoxLayout()
        self.status_label = QLabel(tr("tray.hours_loading"))
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName(tr("tray.status_icon"))
        font = self.status_label.font()
        font.setBold(True)
        self.status_label.setFont(font)
        self.detail_label = QLabel()
        self.detail_label.setWordWrap(True)
        self.outbox_label = QLabel()
        self.outbox_label.setWordWrap(True)
        for label in (self.status_label, self.detail_label, self.outbox_label):
            texts.addWidget(label)
        status_row.addLayout(texts, 1)
        return status_row

    def _build_banner(self) -> QFrame:
        """The reminder banner (hidden until a reminder is due)."""
        self.banner = QFrame()
        self.banner.setObjectName("reminderBanner")
        self.banner.setStyleSheet(theme.notice_style("#reminderBanner"))
        self.banner.setAccessibleName(tr("tray.reminder"))
        banner_layout = QVBoxLayout(self.banner)
        self.banner_title = QLabel()
        title_font = self.banner_title.font()
        title_font.setBold(True)
        self.banner_title.setFont(title_font)
        self.banner_body = QLabel()
        self.banner_body.setWordWrap(True)
        self.banner_body.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.banner_note = QLabel()
        self.banner_note.setWordWrap(True)
        banner_layout.addWidget(self.banner_title)
        banner_layout.addWidget(self.banner_body)
        banner_layout.addWidget(self.banner_note)
        banner_buttons = QHBoxLayout()
        self.banner_open = QPushButton(tr("tray.reminder_open"))
        self.banner_snooze = QPushButton(tr("tray.reminder_snooze_button"))
        self.banner_dismiss = QPushButton(tr("tray.reminder_dismiss"))
        for button in (self.banner_open, self.banner_snooze, self.banner_dismiss):
            button.setAccessibleName(button.text().replace("&", ""))
            banner_buttons.addWidget(button)
        banner_buttons.addStretch(1)
        banner_layout.addLayout(banner_buttons)
        self.banner_open.clicked.connect(self.open_reminder.emit)
        self.banner_snooze.clicked.connect(self.snooze_reminder.emit)
        self.banner_dismiss.clicked.connect(self.banner.hide)
        self.banner.hide()
        return self.banner

    def _build_report_button(self) -> QPushButton:
        self.report_button = QPushButton(tr("tray.menu_report"))
        self.report_button.setAccessibleName(tr("tray.menu_report").replace("&", ""))
        self.report_button.setMinimumHeight(48)
        big = self.report_button.font()
        big.setPointSizeF(big.pointSizeF() * 1.3)
        big.setBold(True)
        self.report_button.setFont(big)
        self._report_handler: Callable[[], None] | None = None
        self.report_button.clicked.connect(lambda: self._report_handler and self._report_handler())
        return self.report_button

    def set_entries(self, entries: list[Entry]) -> None:
        for button in self.buttons.values():
            if button is not self.report_button:  # the big button stays; only its handler changes
                button.deleteLater()
        self.buttons.clear()
        column = row = 0
        for entry in entries:
            if entry.key == "report":
                self._report_handler = entry.handler
                self.buttons[entry.key] = self.report_button
                continue
            button = QPushButton(entry.text)
            button.setAccessibleName(entry.text.replace("&", ""))
            button.setEnabled(entry.enabled and entry.handler is not None)
            button.setToolTip(entry.tooltip)
            if entry.tooltip:
                button.setAccessibleDescription(entry.tooltip)
            if entry.handler is not None:
                button.clicked.connect(lambda _c=False, h=entry.handler: h())
            self.grid.addWidget(button, row, column)
            self.buttons[entry.key] = button
            column += 1
            if column == 2:
                column, row = 0, row + 1

    def show_status(self, state: str, queued: int, status_line: str, outbox_line: str,
                    detail: str = "") -> None:
        self.status_icon.setPixmap(draw_status_pixmap(state, queued, 32))
        self.status_icon.setToolTip(status_line)
        self.status_label.setText(status_line)
        self.detail_label.setText(detail)
        self.detail_label.setVisible(bool(detail))
        self.outbox_label.setText(outbox_line)
        self.outbox_label.setVisible(bool(outbox_line))
        self._tall_enough()

    def _tall_enough(self) -> None:
        """Grow to the height the wrapped texts need at this width: a longer status line (support
        closed, with the next opening) would otherwise squeeze the buttons below it."""
        layout = self.layout()
        if layout is None or not layout.hasHeightForWidth():
            return
        layout.activate()
        need = layout.totalHeightForWidth(self.width())
        if self.height() < need:
            self.resize(self.width(), need)

    def show_reminder(self, title: str, body: str, *, snoozable: bool = True) -> None:
        self.banner_title.setText(title)
        self.banner_body.setText(body)
        self.banner_note.hide()
        self.banner_snooze.setEnabled(snoozable)
        self.banner.show()
        self.adjustSize()

    def notification_failed(self, reason: str) -> None:
        """The desktop did not take the notification: show it here and ask for attention."""
        self.banner_note.setText(tr("tray.notification_failed", reason=reason))
        self.banner_note.show()
        self.adjustSize()
        self.showNormal()
        self.raise_()
        self.activateWindow()
        QApplication.alert(self, 0)

    def hide_reminder(self) -> None:
        self.banner.hide()

    def quit(self) -> None:
        self._quitting = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._quitting or not event.spontaneous():
            event.accept()  # "Beenden", or the app closing its windows while quitting
            return
        # Without a tray this window is how reminders reach the agent: the window's close
        # button minimises it; "Beenden" quits.
        event.ignore()
        self.showMinimized()
