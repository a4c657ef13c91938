"""Windows that fit the screen they open on.

Office laptops often run 1920×1080 at 150 % — 1280×720 logical pixels, of which the taskbar
takes another 40 or so. A window opened at its preferred size there would put its buttons
("Weiter", "Übernehmen") under the taskbar. Every window of the app gets its first size from
here: the preferred size, but no larger than the screen's free area minus room for the title
bar and frame that the window system adds around it.
"""
from __future__ import annotations

from PySide6.QtCore import QRect, QSize
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


def keep_on_screen(window: QWidget) -> None:
    """Move a window that has grown (a banner shown in it) back into the screen's free area."""
    free = screen_room(window)
    if free is None or free.isEmpty() or not window.isVisible():
        return
    frame = window.frameGeometry()
    margins = frame.size() - window.geometry().size()  # title bar and borders
    width, height = window.width() + margins.width(), window.height() + margins.height()
    x = max(free.left(), min(frame.left(), free.left() + free.width() - width))
    y = max(free.top(), min(frame.top(), free.top() + free.height() - height))
    if (x, y) != (frame.left(), frame.top()):
        window.move(x, y)
