"""One capture, start to end: hide our windows, wait, grab in a worker, show them again.

    capturer = ScreenCapturer(env, run_in_background)
    capturer.captured.connect(use)      # a core.screenshot.Capture
    capturer.failed.connect(explain)    # a message for the agent
    capturer.start("desktop", delay_s=3)

Our own windows are hidden first so that the screenshot shows the agent's screen, not the
wizard; after hiding, the window system needs a moment to repaint what they covered (and
Windows animates the hiding), hence ``settle_ms``. For a region the whole desktop is grabbed
and the agent selects on that frozen picture, so the selection overlay can never end up in
the image.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from capture_app.core.platform.i18n import tr
from capture_app.core.platform.session import NO_SCREEN_PLATFORMS, session_kind
from capture_app.ui.platform.roles import TRAY_ICON_WINDOW

if TYPE_CHECKING:
    from capture_app.core.evidence.screenshot import Capture

# core.screenshot (and what it needs) is imported where a capture is taken: this module is
# asked on the way to the wizard whether capturing is possible at all.

# Long enough for Windows' hide animation and for X11 clients to repaint what we uncovered.
DEFAULT_SETTLE_MS = 300
MAX_DELAY_S = 10


def default_grab(target: Any, *, max_pixels: int) -> Capture:
    """Grab with mss, or through the desktop's portal on Wayland. Runs in a worker."""
    from capture_app.core.evidence import screenshot
    from capture_app.core.platform.session import session_kind

    if session_kind() == "wayland":
        return _grab_through_portal(max_pixels)
    return screenshot.grab(target, max_pixels=max_pixels)


def _grab_through_portal(max_pixels: int) -> Capture:
    from capture_app.core.evidence.portal import take_screenshot
    from capture_app.core.evidence.screenshot import ScreenshotError
    from capture_app.ui.evidence.images import ImageTooLarge, read_image, to_capture

    path = take_screenshot()
    try:
        image = read_image(path, max_pixels=max_pixels)
    except ImageTooLarge as exc:
        raise ScreenshotError("screenshot.too_large", width=exc.width, height=exc.height,
                              megapixels=round(exc.width * exc.height / 1e6),
                              limit_megapixels=round(max_pixels / 1e6)) from exc
    except OSError as exc:
        raise ScreenshotError("screenshot.portal_unreadable", path=str(path)) from exc
    return to_capture(image, source="portal")


@dataclass
class CaptureEnv:
    """How screenshots are taken; tests pass their own ``grab`` (same signature as default)."""

    grab: Callable[..., Capture] = default_grab
    settle_ms: int = DEFAULT_SETTLE_MS
    max_pixels: int = 100_000_000
    # Whether this session can capture at all; None asks Qt and the environment.
    available: bool | None = None
    extra: dict = field(default_factory=dict)

    def can_capture(self) -> bool:
        if self.available is not None:
            return self.available
        # platformName() is static and answers in worker threads too (instance() does not).
        name = QGuiApplication.platformName()
        return bool(name) and name not in NO_SCREEN_PLATFORMS

    def can_choose_monitor(self) -> bool:
        return self.grab is not default_grab or session_kind() != "wayland"


_default_env: CaptureEnv | None = None
_pool = None


def capture_pool():
    """Threads of their own for screenshots: a grab must never queue behind a slow probe."""
    global _pool
    if _pool is None:
        from PySide6.QtCore import QThreadPool

        _pool = QThreadPool()
        _pool.setMaxThreadCount(2)
    return _pool


def default_env() -> CaptureEnv:
    global _default_env
    if _default_env is None:
        _default_env = CaptureEnv()
    return _default_env


def use_env(env: CaptureEnv | None) -> CaptureEnv | None:
    """Make ``env`` the one every capture uses (tests); returns the previous one."""
    global _default_env
    previous, _default_env = _default_env, env
    return previous


def capture_enabled(config) -> bool:
    """Whether a new report starts with a screenshot (the setting; on where it is missing)."""
    try:
        return bool(config.get("capture.on_report_start"))
    except KeyError:  # an older settings table without the option
        return True


def visible_windows() -> list[QWidget]:
    """Our windows on screen, which the screenshot must not show.

    Found through their native windows rather than ``QApplication.topLevelWidgets()``: that
    also wraps Qt's private widgets (the tray icon's), for which PySide sets up every widget
    type it has, ~20 ms on the way from "Problem melden" to the screenshot."""
    # The tray icon (an XEmbed window docked in the panel, on X11) is part of the desktop like
    # any other icon there: hiding it would take it out of the panel and make the grab wait.
    shown = [window for window in QGuiApplication.topLevelWindows()
             if window.isVisible() and window.objectName() != TRAY_ICON_WINDOW]
    if not shown:
        return []  # from the tray: nothing of ours on screen, and no need for Qt's namespace
    # Imported only now: its first use builds all its enums, ~20 ms (see ui/platform/roles.py).
    from PySide6.QtCore import Qt

    skipped = (Qt.WindowType.Popup, Qt.WindowType.ToolTip, Qt.WindowType.SplashScreen)
    found = []
    for window in shown:
        if window.type() in skipped:
            continue
        widget = QWidget.find(window.winId())
        if widget is not None and widget.isWindow() and widget.isVisible():
            found.append(widget)
    return found


class ScreenCapturer(QObject):
    """Takes one screenshot; emits ``captured(Capture)`` or ``failed(str)``, then ``finished``."""

    captured = Signal(object)
    failed = Signal(str)
    finished = Signal()

    def __init__(self, env: CaptureEnv, run: Callable[..., Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self._run = run
        self._hidden: list[QWidget] = []
        self._active: QWidget | None = None
        self.busy = False

    def start(self, target: Any = "desktop", *, delay_s: int = 0, hide: bool = True,
              keep_hidden: bool = False) -> bool:
        """Begin a capture; False (and ``failed``) if this session cannot capture at all.

        ``keep_hidden``: leave our windows hidden after the grab (the caller shows a region
        overlay first and calls :meth:`restore_windows` itself).
        """
        if self.busy:
            return False
        if not self.env.can_capture():
            from capture_app.core.evidence.screenshot import ScreenshotError

            self.failed.emit(ScreenshotError("screenshot.no_display",
                                             detail=QGuiApplication.platformName()).message())
            self.finished.emit()
            return False
        self.busy = True
        self._keep_hidden = keep_hidden
        wait_ms = max(0, min(int(delay_s), MAX_DELAY_S)) * 1000
        if hide:
            self._active = QApplication.activeWindow()
            self._hidden = visible_windows()
            for window in self._hidden:
                window.hide()
            if self._hidden:
                wait_ms = max(wait_ms, self.env.settle_ms)
        if wait_ms:
            QTimer.singleShot(wait_ms, lambda: self._grab(target))
        else:
            self._grab(target)
        return True

    def _grab(self, target: Any) -> None:
        grab, limit = self.env.grab, self.env.max_pixels
        self._run(lambda: grab(target, max_pixels=limit), on_success=self._done,
                  on_error=self._error, pool=capture_pool())

    def _done(self, capture: Capture) -> None:
        if not self._keep_hidden:
            self.restore_windows()
        self.busy = False
        self.captured.emit(capture)
        self.finished.emit()

    def _error(self, exc: BaseException) -> None:
        self.restore_windows()
        self.busy = False
        from capture_app.core.evidence.screenshot import ScreenshotError

        message = exc.message() if isinstance(exc, ScreenshotError) else tr(
            "screenshot.failed", detail=type(exc).__name__)
        self.failed.emit(message)
        self.finished.emit()

    def restore_windows(self) -> None:
        # A window closed and deleted while hidden (a dialog the app dismissed meanwhile)
        # is not brought back.
        hidden, self._hidden = [w for w in self._hidden if shiboken6.isValid(w)], []
        for window in hidden:
            window.show()
        if self._active is not None and self._active in hidden:
            self._active.raise_()
            self._active.activateWindow()
        self._active = None
