"""The app's capture flows on a real X server, driven like an agent would (run by test_capture_x11.py).

    QT_QPA_PLATFORM=xcb DISPLAY=:N REPORT_CAPTURE_HOME=DIR python capture_child.py MODE

MODE ``desktop``: the wizard is on screen; "Screenshot aufnehmen → Ganzer Bildschirm".
MODE ``monitor2``: the same with the second monitor from the menu.
MODE ``region``: select a region on the second monitor's overlay (logical coordinates given
in argv: x0 y0 x1 y1).
Prints one JSON line: the stored screenshot's file, whether the wizard was hidden during the
grab and is visible again, and the overlay's size readout.
"""
from __future__ import annotations

import json
import sys
import time

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def wait_for(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        QTest.qWait(20)
    return False


def main() -> int:
    mode = sys.argv[1]
    app = QApplication(sys.argv[:1])
    from capture_app.core.platform.paths import default_paths
    from capture_app.core.wizard.steps import Step
    from capture_app.ui.app import Controller
    from capture_app.ui.capture import grabber

    controller = Controller(app, default_paths())
    controller.config.set_user("capture.on_report_start", False)
    window = controller.new_report()
    window.setGeometry(40, 40, 700, 500)
    window.show()
    wait_for(window.isVisible)
    QTest.qWait(300)  # mapped and painted
    seen = {}
    real_grab = grabber.default_grab

    def watching_grab(target, *, max_pixels):
        seen["wizard_visible_at_grab"] = window.isVisible()
        return real_grab(target, max_pixels=max_pixels)

    grabber.use_env(grabber.CaptureEnv(grab=watching_grab))
    page = window.page(Step.EVIDENCE)
    tools = page.screenshots
    result = {"screens": [[s.geometry().x(), s.geometry().y(), s.geometry().width(),
                           s.geometry().height(), s.devicePixelRatio()] for s in app.screens()]}
    if mode == "desktop":
        tools.capture("desktop")
    elif mode == "monitor2":
        tools._fill_menu()
        result["menu"] = [action.text() for action in tools.menu.actions()]
        tools.capture("monitor", screen_index=1)
    elif mode == "region":
        x0, y0, x1, y1 = map(int, sys.argv[2:6])
        tools.capture("region")
        if not wait_for(lambda: tools.selector is not None):
            print(json.dumps({"error": "no overlay"}), flush=True)
            return 1
        overlays = tools.selector.overlays
        result["overlays"] = [[o.geometry().x(), o.geometry().y(), o.width(), o.height()]
                              for o in overlays]
        overlay = next(o for o in overlays if o.area.left > 0)  # the second monitor's
        wait_for(overlay.isVisible)
        QTest.mousePress(overlay, Qt.LeftButton, Qt.NoModifier, QPoint(x0, y0))
        QTest.mouseMove(overlay, QPoint(x1, y1))
        result["readout"] = overlay.readout()
        QTest.mouseRelease(overlay, Qt.LeftButton, Qt.NoModifier, QPoint(x1, y1))
    if not wait_for(lambda: len(window.report.evidence) == 1):
        print(json.dumps({"error": "nothing stored", "last_error": tools.last_error}), flush=True)
        return 1
    wait_for(window.isVisible)
    item = window.report.evidence[0]
    result.update(seen, wizard_visible_after=window.isVisible(), title=item.title,
                  file=str(controller.store.attachment_path(window.report.id, item.id)))
    print(json.dumps(result), flush=True)
    window._discarding = True
    window.close()
    controller.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
