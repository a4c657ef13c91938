"""The tray icon: support open or closed at a glance, the number of queued reports, and the menu.

The icon is drawn, not loaded: a green disc while support is reachable, a grey one while it is
closed (blue-grey until the hours are known), a white speech bubble with an exclamation mark,
and a red badge with the number of reports waiting in the outbox. Colour is never the only
signal: the tooltip and the first menu line say the same in words.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QGuiApplication,
    QIcon,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from capture_app import APP_NAME
from capture_app.core.platform.resources import resource_path
from capture_app.ui.platform.roles import BALLOON_WINDOW, TRAY_ICON_WINDOW

OPEN = "open"
CLOSED = "closed"
UNKNOWN = "unknown"
COLOURS = {OPEN: "#1a7f37", CLOSED: "#6e7781", UNKNOWN: "#57606a"}
BADGE_COLOUR = "#cf222e"
ICON_SIZES = (16, 22, 24, 32, 48, 64)
WATCH_EMBEDDING_AFTER_MS = 250  # after the tray host has docked the icon


@dataclass
class Entry:
    """One command of the tray menu and of the launcher window."""

    key: str
    text: str
    handler: Callable[[], None] | None
    tooltip: str = ""
    enabled: bool = True
    shortcut: str = ""  # the key combination, shown at the right of the menu entry


def draw_status_pixmap(state: str, queued: int, size: int = 64) -> QPixmap:
    # Qt's namespace here, not at the top: the first use builds all its enums (roles.py).
    from PySide6.QtCore import Qt

    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(COLOURS.get(state, COLOURS[UNKNOWN])))
    painter.drawEllipse(QRectF(0.5, 0.5, size - 1, size - 1))

    # A speech bubble with "!": reporting a problem.
    bubble = QPainterPath()
    bubble.addRoundedRect(QRectF(size * 0.22, size * 0.24, size * 0.56, size * 0.40),
                          size * 0.08, size * 0.08)
    tail = QPainterPath()
    tail.moveTo(QPointF(size * 0.34, size * 0.60))
    tail.lineTo(QPointF(size * 0.30, size * 0.78))
    tail.lineTo(QPointF(size * 0.50, size * 0.62))
    tail.closeSubpath()
    painter.setBrush(QColor("white"))
    painter.drawPath(bubble.united(tail))
    painter.setPen(QPen(QColor(COLOURS.get(state, COLOURS[UNKNOWN])), max(1.0, size * 0.07),
                        Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    painter.drawLine(QPointF(size * 0.50, size * 0.31), QPointF(size * 0.50, size * 0.47))
    painter.drawPoint(QPointF(size * 0.50, size * 0.56))

    if queued > 0:
        badge = size * 0.46
        rect = QRectF(size - badge, 0, badge, badge)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(BADGE_COLOUR))
        painter.drawEllipse(rect)
        if size >= 22:
            font = QFont()
            font.setBold(True)
            font.setPixelSize(max(6, int(badge * (0.62 if queued < 10 else 0.48))))
            painter.setFont(font)
            painter.setPen(QColor("white"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(queued) if queued < 100 else "99+")
    painter.end()
    return pixmap


def status_icon(state: str, queued: int) -> QIcon:
    icon = QIcon()
    if queued == 0 and state in COLOURS:
        # Drawn in advance (packaging/icons/render_pngs.py; a test keeps them equal): drawing
        # builds Qt's enums, ~20 ms on the way to the icon at login.
        for size in ICON_SIZES:
            icon.addFile(str(resource_path("icons", "tray", f"{state}-{size}.png")), QSize(size, size))
        return icon
    for size in ICON_SIZES:
        icon.addPixmap(draw_status_pixmap(state, queued, size))
    return icon


class TrayIcon(QSystemTrayIcon):
    """The icon in the notification area; a click starts a report, the menu has the rest."""

    report_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.menu = QMenu()
        self.menu.setAccessibleName(APP_NAME)
        self.setContextMenu(self.menu)
        self.status_action = QAction(self)
        self.status_action.setEnabled(False)
        self.outbox_action = QAction(self)
        self.outbox_action.setEnabled(False)
        self.snooze_action = QAction(self)
        self._snooze_handler: Callable[[], None] | None = None
        self.snooze_action.triggered.connect(lambda: self._snooze_handler and self._snooze_handler())
        self.entry_actions: dict[str, QAction] = {}
        self.activated.connect(self._activated)
        self.state = UNKNOWN
        self.queued = 0
        self._last_message: tuple[str, str, Any, int] | None = None
        self._embedded_hidden = False  # the icon's window was hidden while the icon is shown
        self.setIcon(status_icon(UNKNOWN, 0))
        self.setToolTip(APP_NAME)

    def set_entries(self, entries: list[Entry]) -> None:
        self.menu.clear()
        self.entry_actions.clear()
        self.menu.addAction(self.status_action)
        self.menu.addAction(self.outbox_action)
        self.menu.addAction(self.snooze_action)
        self.menu.addSeparator()
        for entry in entries:
            if entry.key in ("hours", "settings", "quit"):
                self.menu.addSeparator()
            # "\t": menus show what follows at the right, where shortcuts stand.
            text = f"{entry.text}\t{entry.shortcut}" if entry.shortcut else entry.text
            action = QAction(text, self.menu)
            action.setEnabled(entry.enabled and entry.handler is not None)
            action.setToolTip(entry.tooltip)
            action.setStatusTip(entry.tooltip)
            action.setData(entry.key)
            if entry.handler is not None:
                action.triggered.connect(lambda _checked=False, handler=entry.handler: handler())
            self.menu.addAction(action)
            self.entry_actions[entry.key] = action
        # Disabled entries must still say why: menus show tooltips only when asked to.
        self.menu.setToolTipsVisible(True)

    def show_status(self, state: str, queued: int, status_line: str, outbox_line: str,
                    detail: str = "") -> None:
        if (state, queued) != (self.state, self.queued):
            self.state, self.queued = state, queued
            self.setIcon(status_icon(state, queued))
        self.status_action.setText(status_line)
        self.outbox_action.setText(outbox_line)
        self.outbox_action.setVisible(bool(outbox_line))
        lines = [APP_NAME, status_line]
        if detail:
            lines.append(detail)
        if outbox_line:
            lines.append(outbox_line)
        self.setToolTip("\n".join(lines))

    def show_snooze(self, text: str | None, handler: Callable[[], None] | None) -> None:
        """The menu entry that snoozes the last reminder; hidden when there is none."""
        self._snooze_handler = handler if text else None
        self.snooze_action.setVisible(bool(text))
        if text:
            self.snooze_action.setText(text)

    def show(self) -> None:
        super().show()
        # Not while the tray host is docking the icon.
        QTimer.singleShot(WATCH_EMBEDDING_AFTER_MS, self, self._watch_embedding)

    def _watch_embedding(self) -> None:
        """On X11 the icon is a small window embedded in the tray host. Whoever hides all our
        windows for a moment unmaps it, and showing it again does not embed it again: the tray
        host shrinks it to nothing. Re-create it then.

        The icon's widget is Qt's private class. Wrapping it (``topLevelWidgets``) makes PySide
        set up every widget type it has to find the nearest one: ~20 ms and ~2 MB for the rest
        of the day. Its native window is found by name instead, as a plain QWindow, and only
        its visibility is followed (no Python call for each of its events)."""
        for window in QGuiApplication.allWindows():
            if window.objectName() == TRAY_ICON_WINDOW:
                window.visibleChanged.connect(self._icon_window_visible)

    def _icon_window_visible(self, visible: bool) -> None:
        if not visible and self.isVisible():
            self._embedded_hidden = True
        elif visible and self._embedded_hidden:
            self._embedded_hidden = False
            QTimer.singleShot(0, self._embed_again)

    def _embed_again(self) -> None:
        if not self.isVisible():
            return
        balloon_open = any(window.objectName() == BALLOON_WINDOW and window.isVisible()
                           for window in QGuiApplication.allWindows())
        super().hide()
        self.show()
        if balloon_open and self._last_message is not None:
            super().showMessage(*self._last_message)

    def showMessage(self, title: str, body: str, icon=QSystemTrayIcon.MessageIcon.Information,
                    msecs: int = 10000) -> None:
        self._last_message = (title, body, icon, msecs)
        super().showMessage(title, body, icon, msecs)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.report_requested.emit()

