"""Work that would hold up a window's first frame waits until that frame is on screen.

A new wizard is shown, then the X server or Windows asks it to paint, and only then does the
agent see it. Whatever runs in between competes with that first paint: encoding the screenshot
in a worker holds Python's lock for much of its time, and a tray balloon built on the UI thread
takes tens of milliseconds. Such work is started once the window has painted its first frame,
or after ``FALLBACK_MS`` at the latest, so a window that is never painted (minimised, closed at
once) still gets it done.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

FALLBACK_MS = 1000


class _FirstFrame(QObject):
    """Watches one window until its first paint, then runs what waited for it."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.painted = False
        self.waiting: list[Callable[[], None]] = []
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.painted:
            self.painted = True
            watched.removeEventFilter(self)
            waiting, self.waiting = self.waiting, []
            for callback in waiting:
                # Queued: the window's whole first frame is painted and handed to the screen in
                # this turn of the event loop, the waiting work starts in the next one.
                QTimer.singleShot(0, callback)
        return False


def watch_first_frame(window: QWidget) -> None:
    """Note when ``window`` first paints; call before it is shown."""
    if getattr(window, "first_frame_watch", None) is None:
        window.first_frame_watch = _FirstFrame(window)  # type: ignore[attr-defined]


def after_first_frame(window: QWidget, callback: Callable[[], None]) -> None:
    """Run ``callback`` once, on the UI thread, when ``window``'s first frame is on screen, or
    ``FALLBACK_MS`` after this call at the latest. A window not watched from before it was
    shown (see :func:`watch_first_frame`) is taken as painted already."""
    watcher: _FirstFrame | None = getattr(window, "first_frame_watch", None)
    if watcher is None or watcher.painted:
        QTimer.singleShot(0, callback)
        return
    ran = False

    def once() -> None:
        nonlocal ran
        if not ran:
            ran = True
            callback()

    watcher.waiting.append(once)
    # No receiver object: the work is done even if the window is gone by then.
    QTimer.singleShot(FALLBACK_MS, once)
