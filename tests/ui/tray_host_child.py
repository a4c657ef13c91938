"""The real app's tray icon on a real X server with a real tray host, driven by a test.

    python tray_host_child.py AUTOSTART_DIR '[step, ...]'

Runs in its own process (Qt's platform is chosen once per process; the test suite's own is
offscreen). Each step sets the injected clock and does one thing an agent would do; after each
one a JSON line describes what is on screen: the tray icon (geometry, the colours of its pixels
as grabbed from the X server), its tooltip and menu, balloons shown, and open windows.

Steps: {"now": ISO} (let the timer fire), {"click_icon": true, "now": ISO},
{"click_balloon": true}, {"menu": "words of a menu entry"}.
"""
from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QSystemTrayIcon

from capture_app.core.platform.autostart import XdgAutostart
from capture_app.core.platform.paths import default_paths
from capture_app.ui.app import Controller
from capture_app.ui.hours.tray import BADGE_COLOUR, COLOURS


def wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        QApplication.processEvents(QEventLoop.AllEvents, 50)
        time.sleep(0.01)
    return True


def close_to(colour: QColor, reference: str, tolerance: int = 40) -> bool:
    ref = QColor(reference)
    return (abs(colour.red() - ref.red()) + abs(colour.green() - ref.green())
            + abs(colour.blue() - ref.blue())) <= tolerance


def balloons(app) -> list[dict]:
    found = []
    for widget in app.topLevelWidgets():
        if widget.metaObject().className() == "QBalloonTip" and widget.isVisible():
            texts = [label.text() for label in widget.findChildren(QLabel) if label.text()]
            geometry = widget.geometry()
            found.append({"texts": texts, "geometry": [geometry.x(), geometry.y(),
                                                       geometry.width(), geometry.height()]})
    return found


def icon_widget(app):
    for widget in app.topLevelWidgets():
        if widget.metaObject().className() == "QSystemTrayIconSys":
            return widget
    return None


def observe(app, controller, presence) -> dict:
    tray = presence.tray
    geometry = tray.geometry()
    pixels = {"open": 0, "closed": 0, "badge": 0, "total": 0}
    image = app.primaryScreen().grabWindow(0, geometry.x(), geometry.y(), geometry.width(),
                                           geometry.height()).toImage()
    for x in range(image.width()):
        for y in range(image.height()):
            colour = image.pixelColor(x, y)
            pixels["total"] += 1
            pixels["open"] += close_to(colour, COLOURS["open"])
            pixels["closed"] += close_to(colour, COLOURS["closed"], 12)
            pixels["badge"] += close_to(colour, BADGE_COLOUR)
    menu = [{"text": action.text(), "enabled": action.isEnabled(), "tooltip": action.toolTip(),
             "visible": action.isVisible(), "key": action.data()}
            for action in tray.menu.actions() if not action.isSeparator()]
    return {
        "available": QSystemTrayIcon.isSystemTrayAvailable(),
        "visible": tray.isVisible(),
        "geometry": [geometry.x(), geometry.y(), geometry.width(), geometry.height()],
        "pixels": pixels,
        "tooltip": tray.toolTip(),
        "menu": menu,
        "balloons": balloons(app),
        "wizards": [w.windowTitle() for w in controller.wizards.values() if w.isVisible()],
        "main_window": bool(controller.main_window and controller.main_window.isVisible()),
        "quit_on_last_window_closed": app.quitOnLastWindowClosed(),
    }


def main() -> int:
    autostart_dir, steps = Path(sys.argv[1]), json.loads(sys.argv[2])
    app = QApplication(sys.argv[:1])
    controller = Controller(app, default_paths())
    clock = {"now": datetime.fromisoformat(steps[0]["now"])}
    refreshed = []
    controller.start_presence(clock=lambda: clock["now"], agent_zone="Europe/Berlin",
                              autostart=XdgAutostart(autostart_dir), interval_ms=3_600_000)
    presence = controller.presence
    presence.refreshed.connect(refreshed.append)
    if not wait(lambda: presence.hours is not None and refreshed, 30):
        print(json.dumps({"error": "support hours never loaded"}), flush=True)
        return 1
    if not wait(lambda: presence.tray is not None and presence.tray.geometry().width() > 0, 15):
        print(json.dumps({"error": "tray icon never embedded"}), flush=True)
        return 1
    for step in steps:
        if not step.get("click_balloon") and not step.get("hide_windows"):
            for balloon in [w for w in app.topLevelWidgets()
                            if w.metaObject().className() == "QBalloonTip"]:
                balloon.close()
        if "now" in step:
            clock["now"] = datetime.fromisoformat(step["now"])
        count = len(refreshed)
        if step.get("click_icon"):
            # A real click on the icon's own X window: the tray host forwards it the same way.
            QTest.mouseClick(icon_widget(app), Qt.LeftButton)
            wait(lambda: controller.wizards, 10)
        elif step.get("menu"):
            # Choose the visible menu entry whose text contains the step's words.
            [action] = [a for a in presence.tray.menu.actions()
                        if a.isVisible() and step["menu"] in a.text()]
            action.trigger()
        elif step.get("hide_windows"):
            # Every window of the app hidden for a moment and shown again, the icon's included.
            icon = icon_widget(app)
            icon.hide()
            QApplication.processEvents(QEventLoop.AllEvents, 50)
            icon.show()
            wait(lambda icon=icon: presence.tray.geometry().width() > 0 and icon_widget(app) is not icon, 10)
        elif step.get("click_balloon"):
            shown = [w for w in app.topLevelWidgets()
                     if w.metaObject().className() == "QBalloonTip" and w.isVisible()]
            if shown:
                QTest.mouseClick(shown[0], Qt.LeftButton)
        else:
            presence.refresh()
            wait(lambda seen=count: clock["now"] in refreshed[seen:], 15)
        # Reminders and repaint arrive through the event loop: give them a moment.
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            QApplication.processEvents(QEventLoop.AllEvents, 50)
            time.sleep(0.02)
        state = observe(app, controller, presence)
        state["step"] = step
        print(json.dumps(state), flush=True)
    for window in list(controller.wizards.values()):
        window.wait_for_saves()
        window._discarding = True
    QTimer.singleShot(0, app.quit)
    app.exec()
    return 0


if __name__ == "__main__":
    sys.exit(main())
