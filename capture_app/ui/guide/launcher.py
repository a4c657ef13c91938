"""Opening the console guide: a webview window in a child process, or the text view as fallback.

One ``GuideLauncher`` per app. The first ``show`` starts ``capture_app.guide_process``; later ones
send it the new section over its stdin, so there is only ever one guide window. When no webview
backend is installed — or the child reports that none can start — the guide opens in a Qt text
view instead (with a button for the system browser). The child ends with the app: ``close`` is
connected to the application's ``aboutToQuit``, and a child whose stdin closes (the app died)
ends by itself.
"""
from __future__ import annotations

import json
import logging
import os
import sys
from importlib.util import find_spec
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QSize, Signal
from PySide6.QtWidgets import QApplication

from capture_app.core.platform.helper_process import helper_command
from capture_app.core.platform.i18n import current_language, tr
from capture_app.ui.guide import sections
from capture_app.ui.platform.screen_fit import fitted_size, screen_room

if TYPE_CHECKING:
    from capture_app.ui.guide.text_view import GuideTextWindow

log = logging.getLogger(__name__)

EXIT_NO_BACKEND = 3  # capture_app.guide_process.EXIT_NO_BACKEND, without importing it here
# The guide's window: narrow, to sit beside the browser; as tall as the screen has room for.
GUIDE_SIZE = (580, 820)


def webview_available() -> bool:
    """A cheap look (nothing imported) for pywebview and a backend it can use here."""
    try:
        if find_spec("webview") is None:
            return False
        if sys.platform.startswith("linux"):
            qt = find_spec("qtpy") is not None and find_spec("PySide6.QtWebEngineWidgets") is not None
            return qt or find_spec("gi") is not None
    except (ImportError, ValueError):
        return False
    return True


def window_size_args() -> list[str]:
    """``--width``/``--height`` for the guide window, fitted into the primary screen's free area."""
    width, height = GUIDE_SIZE
    room = screen_room()
    if room is not None and not room.isEmpty():
        size = fitted_size(QSize(width, height), room)
        width, height = size.width(), size.height()
    return ["--width", str(width), "--height", str(height)]


def child_command(args: list[str]) -> list[str]:
    return helper_command("guide-window", "capture_app.guide_process", args)


class GuideLauncher(QObject):
    """``show(browser, os)`` returns how the guide is shown: ``"webview"`` or ``"text"``."""

    loaded = Signal(str)  # the guide window's title, once the page is on screen
    fell_back = Signal(str)  # why the text view is used

    def __init__(self, parent: QObject | None = None, *, child_env: dict[str, str] | None = None,
                 available=webview_available) -> None:
        super().__init__(parent)
        self._child_env = child_env
        self._available = available
        self._process: QProcess | None = None
        self._pending_url = ""
        self._loaded = False
        self._buffer = b""
        self.text_window: GuideTextWindow | None = None
        self.title = ""
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.close)

    # -- showing

    def show(self, browser: str | None = None, os_name: str | None = None, *,
             short: bool = False) -> str:
        language = current_language()
        section = sections.section_for(browser, os_name)
        url = sections.guide_url(language, section, short=short)
        if self.running():
            self._send({"url": url})
            return "webview"
        if not self._available():
            return self._show_text(url, tr("console.guide_no_webview"))
        self._start(url)
        return "webview"

    def running(self) -> bool:
        return self._process is not None and self._process.state() != QProcess.ProcessState.NotRunning

    def child_pid(self) -> int:
        return int(self._process.processId()) if self._process is not None else 0

    def _start(self, url: str) -> None:
        process = QProcess(self)
        env = QProcessEnvironment.systemEnvironment()
        for name, value in (self._child_env or {}).items():
            env.insert(name, value)
        process.setProcessEnvironment(env)
        program, *args = child_command(["--url", url, "--title", tr("console.guide_title"),
                                         "--parent-pid", str(os.getpid()), *window_size_args()])
        process.setProgram(program)
        process.setArguments(args)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        process.readyReadStandardOutput.connect(self._read_events)
        process.readyReadStandardError.connect(self._drain_errors)
        process.finished.connect(self._finished)
        process.errorOccurred.connect(self._failed_to_start)
        self._process, self._loaded, self._pending_url, self._buffer = process, False, url, b""
        process.start()

    def _send(self, command: dict) -> None:
        if self._process is not None:
            self._process.write((json.dumps(command) + "\n").encode("utf-8"))

    def _read_events(self) -> None:
        if self._process is None:
            return
        self._buffer += self._process.readAllStandardOutput().data()
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("event") in ("loaded", "title"):
                self._loaded = True
                self.title = str(event.get("title", ""))
                self.loaded.emit(self.title)
            elif event.get("event") == "no-backend":
                log.info("console guide: no webview backend (%s)", event.get("reason", ""))

    def _drain_errors(self) -> None:
        if self._process is not None:
            self._process.readAllStandardError()  # Chromium's chatter; never shown to the agent

    def _finished(self, code: int, _status=None) -> None:
        url, loaded = self._pending_url, self._loaded
        if self._process is not None:
            self._process.deleteLater()
        self._process = None
        if code == EXIT_NO_BACKEND or not loaded:
            # The webview could not start (or died before showing anything): the text view.
            self._show_text(url, tr("console.guide_no_webview"))

    def _failed_to_start(self, error) -> None:
        if error == QProcess.ProcessError.FailedToStart and self._process is not None:
            url = self._pending_url
            self._process.deleteLater()
            self._process = None
            self._show_text(url, tr("console.guide_no_webview"))

    def _show_text(self, url: str, reason: str) -> str:
        from capture_app.ui.guide.text_view import GuideTextWindow

        if self.text_window is None:
            self.text_window = GuideTextWindow()
        self.text_window.open_url(url, reason)
        self.text_window.show()
        self.text_window.raise_()
        self.text_window.activateWindow()
        self.fell_back.emit(reason)
        return "text"

    # -- ending

    def close(self) -> None:
        """Close the guide window and make sure its process is gone."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            process.finished.disconnect(self._finished)
        except (RuntimeError, TypeError):
            pass
        process.closeWriteChannel()  # the child sees the end of stdin and closes its window
        if not process.waitForFinished(4000):
            process.kill()
            process.waitForFinished(2000)
        process.deleteLater()


_shared: GuideLauncher | None = None


def shared_launcher() -> GuideLauncher:
    """The app's one launcher (the evidence step, the tray and the controller all use it)."""
    global _shared
    if _shared is None:
        _shared = GuideLauncher(QApplication.instance())
    return _shared
