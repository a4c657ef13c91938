"""GUI tests run on Qt's offscreen platform unless a display is given explicitly."""
from __future__ import annotations

import os
import shutil
import subprocess
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from xdisplay import start_xvfb, stop

from capture_app.core.platform import i18n


@pytest.fixture
def controller(qapp, app_paths, request):
    from capture_app.ui.app import Controller

    language = getattr(request, "param", None)
    ctl = Controller(qapp, app_paths, language=language)
    yield ctl
    for window in list(ctl.wizards.values()):
        window.wait_for_saves()
        window._discarding = True  # no save prompts while tearing down
        window.close()
    if ctl.main_window is not None:
        ctl.main_window.close()
    # Late results of background sends and the memory hand-back's timer must not reach windows
    # already deleted or a closed store (as in Controller.shutdown); the sending threads
    # themselves are left to finish on their own.
    ctl.stop_late_work()
    ctl.store.close()
    i18n.set_language("de")
    from capture_app.ui.platform.qt_language import use_qt_texts

    use_qt_texts("en")  # Qt's own texts as without a controller: untranslated


@pytest.fixture(scope="session", autouse=True)
def ui_thread_collector(qapp):
    """As in the app (the Controller installs it): garbage is collected on the UI thread only."""
    from capture_app.ui.platform import gc_guard

    gc_guard.install()


@pytest.fixture(scope="session", autouse=True)
def modal_watchdog(qapp):
    """A modal dialog nobody answers (one opened after its test ended) would stall the whole run:
    close any that stays open for 15 s and say so, so the run goes on and the test shows it."""
    import sys
    import time

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    state = {"widget": None, "since": 0.0}

    def check() -> None:
        widget = QApplication.activeModalWidget()
        if widget is None or widget is not state["widget"]:
            state.update(widget=widget, since=time.monotonic())
            return
        if time.monotonic() - state["since"] > 15:
            sys.stderr.write(f"modal {type(widget).__name__} '{widget.windowTitle()}' left open "
                             "for 15 s: closed\n")
            getattr(widget, "reject", widget.close)()
            state.update(widget=None, since=time.monotonic())

    timer = QTimer()
    timer.timeout.connect(check)
    timer.start(1000)
    yield
    timer.stop()


@pytest.fixture
def no_dialogs(monkeypatch):
    """Modal message boxes would block a test: record them instead and answer "Yes"."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[tuple[str, str]] = []

    def record(kind):
        def box(parent, title, text, *args, **kwargs):
            shown.append((kind, text))
            return QMessageBox.Yes if kind == "question" else QMessageBox.Ok
        return box

    for kind in ("warning", "information", "question", "critical"):
        monkeypatch.setattr(QMessageBox, kind, record(kind))
    return shown


@pytest.fixture
def tray_host():
    """Xvfb with the trayer panel: a freedesktop system tray (XEmbed) like on many desktops."""
    trayer = shutil.which("trayer")
    assert trayer, "python3 dev.py test installs xvfb and trayer"
    server, display = start_xvfb(1280, 800)
    processes = [server]
    try:
        env = dict(os.environ, DISPLAY=display)
        panel = subprocess.Popen([trayer, "--edge", "top", "--align", "right", "--widthtype",
                                  "pixel", "--width", "240", "--height", "32", "--transparent",
                                  "false", "--tint", "0xffffff"],
                                 env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(panel)
        # The tray exists once trayer owns the _NET_SYSTEM_TRAY selection (its window is mapped).
        deadline = time.monotonic() + 20
        while "panel" not in subprocess.run(["xwininfo", "-root", "-tree"], env=env,
                                            capture_output=True, text=True).stdout:
            assert time.monotonic() < deadline, "trayer did not come up"
            time.sleep(0.05)
        yield display
    finally:
        for process in reversed(processes):
            stop(process)
