"""Windows that fit the screen they open on.

Office laptops often run 1920×1080 at 150 % — 1280×720 logical pixels, of which the taskbar
takes another 40 or so. A window opened at its preferred size there would put its buttons
("Weiter", "Übernehmen") under the taskbar. Every window of the app gets its first size from
here: the preferred size, but no larger than the screen's free area minus room for the title
bar and frame that the window system adds around it.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QRect, QSize, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QWidget

# Title bar and borders added by the window system (Windows 11 at 100 %: 31 + 8 px), in
# logical pixels — what Qt's available geometry is measured in too.
FRAME = QSize(16, 48)


def fitted_size(preferred: QSize, free: QRect) -> QSize:
    """``preferred``, shrunk where it would not fit into ``free`` together with the frame."""
    return QSize(max(1, min(preferred.width(), free.width() - FRAME.width())),
                 max(1, min(preferred.height(), free.height() - FRAME.height())))


def screen_room(widget: QWidget | None = None) -> QRect | None:
    """The free area (without taskbar and docks) of the screen ``widget`` opens on."""
    screen = (widget.screen() if widget is not None else None) or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else None


def resize_to_fit(window: QWidget, width: int, height: int) -> None:
    """Give ``window`` its first size: ``width`` × ``height`` where the screen has room.

    A window that had to be made smaller is also placed in the middle of the free area — the
    window system's default place (cascading down from the top left) could still push its lower
    edge under the taskbar. Dialogs with a parent are placed on the screen by Qt itself.
    """
    preferred = QSize(width, height)
    free = screen_room(window)
    if free is None or free.isEmpty():
        window.resize(preferred)
        return
    size = fitted_size(preferred, free)
    window.resize(size)
    if size != preferred and not (isinstance(window, QDialog) and window.parentWidget()):
        window.move(free.x() + (free.width() - size.width() - FRAME.width()) // 2,
                    free.y() + (free.height() - size.height() - FRAME.height()) // 2)


def keep_on_screen(window: QWidget) -> bool:
    """Move a window that has grown (a banner shown in it) back into the screen's free area.

    True when it had to be moved.
    """
    free = screen_room(window)
    if free is None or free.isEmpty() or not window.isVisible():
        return False
    frame = window.frameGeometry()
    margins = frame.size() - window.geometry().size()  # title bar and borders
    width, height = window.width() + margins.width(), window.height() + margins.height()
    x = max(free.left(), min(frame.left(), free.left() + free.width() - width))
    y = max(free.top(), min(frame.top(), free.top() + free.height() - height))
    if (x, y) == (frame.left(), frame.top()):
        return False
    window.move(x, y)
    return True


class StayOnScreen(QObject):
    """Keeps a window that grows inside the free area, also after the window system placed it.

    The window manager answers a show or a resize in its own time: it may place the window
    (bottom right, where there was room for the old size) after the window has grown, or apply a
    new size after its place was checked. So the place is checked once things have settled — a
    moment after the last show, resize, or a move that follows them. Moves long after that are
    the agent's own (a window dragged partly aside stays there), and a window manager that keeps
    insisting on its place is given in to after a few tries instead of being fought.
    """

    SETTLE_MS = 60
    WATCH_S = 1.5  # how long after a show or resize a move is still the window system's answer
    MAX_CORRECTIONS = 3

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._watch_until = 0.0
        self._corrections = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.SETTLE_MS)
        self._timer.timeout.connect(self._check)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.Show, QEvent.Type.Resize):
            if kind == QEvent.Type.Show:
                self._corrections = 0
            self._watch_until = time.monotonic() + self.WATCH_S
            self._timer.start()
        elif kind == QEvent.Type.Move and time.monotonic() < self._watch_until:
            self._timer.start()
        return False

    def _check(self) -> None:
        if self._corrections >= self.MAX_CORRECTIONS:
            return
        if keep_on_screen(self._window):
            self._corrections += 1
        else:
            self._corrections = 0
