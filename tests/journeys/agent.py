"""An agent at the keyboard: real X input (xdotool) into the running app, from a helper thread.

The app runs its own event loop on the main thread, modal dialogs included; this thread only
looks at the widgets (through ``Agent.ui``, which runs a function on the main thread, like a
person looking at the screen) and acts with the pointer and the keyboard. Before every click
it checks what a person would see: the control is shown whole, not scrolled out of view, inside
its window, and every window fits the screen's work area.
"""
from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QPoint, QRect, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

WAIT_S = 30.0
# A window that grows (the launcher's notice as a report starts) is moved back inside the screen
# once the window manager has answered: a moment outside is what a person sees as a jump, one
# that lasts this long is a window out of reach.
SETTLE_S = 2.0


class JourneyError(AssertionError):
    pass


class Invoker(QObject):
    """Runs functions on the main thread for the agent's thread (create it on the main thread)."""

    call = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.call.connect(self._run)

    @staticmethod
    def _run(job) -> None:
        fn, box, done = job
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the journey thread
            box["error"] = exc
        done.set()


def on_screen_problem(widget: QWidget) -> str | None:
    """Why a person could not click ``widget`` now, or None."""
    if widget is None:
        return "not there"
    if not widget.isVisible():
        return "not shown"
    if not widget.isEnabled():
        return "disabled"
    if widget.visibleRegion().boundingRect() != widget.rect():
        return f"partly hidden (shown {widget.visibleRegion().boundingRect()} of {widget.rect()})"
    window = widget.window()
    top_left = widget.mapToGlobal(QPoint(0, 0))
    rect = QRect(top_left, widget.size())
    if not window.geometry().contains(rect):
        return f"outside its window ({rect} not in {window.geometry()})"
    return windows_off_screen()


def windows_off_screen() -> str | None:
    for window in QApplication.topLevelWidgets():
        if not window.isVisible() or window.windowType() == 0x0000000c:  # tool tips come and go
            continue
        if window.inherits("QMenu") or window.inherits("QComboBoxPrivateContainer"):
            continue  # popups place themselves
        screen = window.screen()
        area = screen.availableGeometry()
        frame = window.frameGeometry()
        if not area.contains(frame):
            return (f"window '{window.windowTitle() or type(window).__name__}' {frame} does not fit "
                    f"the work area {area}")
    return None


class Agent:
    def __init__(self, invoker: Invoker, display: str, shots: Path | None, prefix: str):
        self.display = display
        self.shots = shots
        self.prefix = prefix
        self.step_number = 0
        self._invoker = invoker  # lives on the main thread

    # -- looking at the screen

    def ui(self, fn: Callable[[], Any], timeout: float = WAIT_S) -> Any:
        box: dict = {}
        done = threading.Event()
        self._invoker.call.emit((fn, box, done))
        if not done.wait(timeout):
            raise JourneyError("the app did not answer (UI thread busy)")
        if "error" in box:
            raise box["error"]
        return box["value"]

    def wait(self, condition: Callable[[], Any], what: str, timeout: float = WAIT_S) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = self.ui(condition)
            if value:
                return value
            if time.monotonic() > deadline:
                raise JourneyError(f"waited {timeout:.0f} s for: {what}")
            time.sleep(0.05)

    def shot(self, name: str) -> None:
        """A picture of the screen (with ``--journey-shots``), and every window must fit it."""
        if self.shots is not None:
            self.step_number += 1
            path = self.shots / f"{self.prefix}-{self.step_number:02d}-{name}.png"
            self.ui(lambda: QApplication.primaryScreen().grabWindow(0).save(str(path), "PNG"))
        deadline = time.monotonic() + SETTLE_S
        while (problem := self.ui(windows_off_screen)) and time.monotonic() < deadline:
            time.sleep(0.05)
        if problem:
            raise JourneyError(problem)

    # -- acting

    def xdo(self, *args: str) -> None:
        subprocess.run(["xdotool", *args], env={"DISPLAY": self.display, "PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"},
                       check=True, timeout=60, capture_output=True)

    def click_at(self, x: int, y: int) -> None:
        self.xdo("mousemove", str(x), str(y), "click", "1")

    def click(self, find: Callable[[], QWidget], what: str, *,
              where: Callable[[QWidget], QPoint] | None = None) -> None:
        """Click a control once a person could: shown whole, enabled, in its window, on screen."""
        def locate():
            widget = find()
            problem = on_screen_problem(widget)
            scroll = _scroll_towards(widget) if problem and problem.startswith("partly") else None
            if scroll:
                return ("scroll", scroll)
            if problem:
                return ("problem", problem)
            point = where(widget) if where else _aim(widget)
            global_point = widget.mapToGlobal(point)
            # What is really on top there (the X server's stacking): another window of the app
            # (the launcher over the main window) would take the click.
            hit = QApplication.widgetAt(global_point)
            if hit is not None and hit.window().windowType() == Qt.WindowType.ToolTip:
                return ("tooltip", None)  # a tip left from the last pointing: it goes away
            if hit is not widget and not widget.isAncestorOf(hit):
                cover = hit.window().windowTitle() if hit is not None else "another program"
                return ("covered", (int(widget.window().winId()), cover))
            return ("ok", (global_point.x(), global_point.y()))
        deadline = time.monotonic() + WAIT_S
        last = None
        while True:
            state, value = self.ui(locate)
            if state == "ok" and value == last:
                break  # where it was a moment ago too: a new window is not moved any more
            last = value if state == "ok" else None
            if state == "ok":
                time.sleep(0.1)
                continue
            if state == "tooltip":  # as a person does: move the pointer aside a moment
                if time.monotonic() > deadline:
                    raise JourneyError(f"cannot press {what}: a tool tip stays over it")
                self.xdo("mousemove", "0", "0")
                time.sleep(0.1)
                continue
            if state == "covered":  # as a person does: bring the window to the front first
                if time.monotonic() > deadline:
                    raise JourneyError(f"cannot press {what}: covered by '{value[1]}'")
                self.xdo("windowactivate", "--sync", str(value[0]))
                time.sleep(0.1)
                continue
            if state == "scroll":  # as a person does: the wheel, over the page's scroll bar
                x, y, button = value
                self.xdo("mousemove", str(x), str(y), "click", button)
                continue
            if time.monotonic() > deadline:
                raise JourneyError(f"cannot press {what}: {value}")
            time.sleep(0.05)
        self.click_at(*value)

    def type(self, text: str) -> None:
        self.xdo("type", "--delay", "4", "--", text)

    def key(self, *keys: str) -> None:
        self.xdo("key", "--delay", "20", *keys)

    def type_into(self, find: Callable[[], QWidget], text: str, what: str, *, replace: bool = True) -> None:
        """Click into a field, select what is there and type over it; wait until it shows."""
        self.click(find, what)
        self.wait(lambda: find().hasFocus() or (find().focusProxy() and find().focusProxy().hasFocus())
                  or find().isAncestorOf(QApplication.focusWidget()), f"focus in {what}")
        if replace:
            self.key("ctrl+a")
        self.type(text)
        self.wait(lambda: text in field_text(find()), f"'{text}' in {what}")

    def choose(self, find_combo: Callable[[], QWidget], value: str, what: str) -> None:
        """Open a drop-down with a click and click the entry that stores ``value``."""
        self.click(find_combo, what)
        self.wait(lambda: find_combo().view().isVisible(), f"the list of {what} open")

        def entry_centre():
            combo = find_combo()
            index = combo.findData(value)
            if index < 0:
                index = combo.findText(value)
            assert index >= 0, f"{what} has no entry {value!r}"
            view = combo.view()
            model_index = combo.model().index(index, 0)
            view.scrollTo(model_index)  # as a person scrolls a long list to the entry
            rect = view.visualRect(model_index)
            if not view.viewport().rect().contains(rect.center()):
                return None
            point = view.viewport().mapToGlobal(rect.center())
            return point.x(), point.y()
        point = self.wait(entry_centre, f"entry {value!r} of {what} in view")
        self.click_at(*point)
        self.wait(lambda: not find_combo().view().isVisible()
                  and value in (find_combo().currentData(), find_combo().currentText()),
                  f"{what} = {value!r}")

    def answer(self, role, what: str) -> str:
        """Press a button of the message box on screen; returns the box's text."""
        box = self.wait(lambda: _message_box(), f"a message box for {what}")
        text = self.ui(lambda: box.text())
        self.shot(f"message-{what}")
        for attempt in range(2):  # a click that came before the box took it: a person clicks again
            self.click(lambda: box.button(role), f"{what} in the message box '{text}'")
            try:
                self.wait(lambda: gone(box), f"the message box for {what} to close", 10 if attempt == 0 else WAIT_S)
                break
            except JourneyError:
                if attempt:
                    raise
        return text


def _aim(widget: QWidget) -> QPoint:
    """Where a person clicks: the box of a check box or radio button, the middle of the rest."""
    from PySide6.QtWidgets import QCheckBox, QRadioButton

    if isinstance(widget, (QCheckBox, QRadioButton)):
        return QPoint(8, widget.height() // 2)
    return widget.rect().center()


def _scroll_towards(widget: QWidget):
    """Where to turn the wheel (on the scroll bar of the page around ``widget``), and which way."""
    from PySide6.QtWidgets import QScrollArea

    area = widget.parentWidget()
    while area is not None and not isinstance(area, QScrollArea):
        area = area.parentWidget()
    if area is None:
        return None
    bar = area.verticalScrollBar()
    if not bar.isVisible():
        return None
    top = widget.mapTo(area.viewport(), QPoint(0, 0)).y()
    down = top > 0 or (top + widget.height() > area.viewport().height() and top >= 0)
    if (down and bar.value() >= bar.maximum()) or (not down and bar.value() <= bar.minimum()):
        return None
    centre = bar.mapToGlobal(bar.rect().center())
    return centre.x(), centre.y(), "5" if down else "4"


def gone(widget: QWidget) -> bool:
    """Closed, or closed and deleted already."""
    import shiboken6

    return not shiboken6.isValid(widget) or not widget.isVisible()


def _message_box():
    widget = QApplication.activeModalWidget()
    return widget if isinstance(widget, QMessageBox) and widget.isVisible() else None


def field_text(widget: QWidget) -> str:
    for getter in ("toPlainText", "text", "currentText"):
        if hasattr(widget, getter):
            return getattr(widget, getter)()
    return ""


__all__ = ["Agent", "Invoker", "JourneyError", "QMessageBox", "field_text", "gone", "on_screen_problem"]
