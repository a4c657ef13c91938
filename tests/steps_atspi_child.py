"""The recorder reading the clicked element over AT-SPI (run by test_steps_x11.py inside a
private D-Bus session, where the accessibility bus starts on demand).

    dbus-run-session -- python steps_atspi_child.py

DISPLAY names an X server with a window manager. Shows a real Qt application on the
accessibility bus, records one click on its "Speichern" button and one on its window's free
space, and prints the steps as one JSON line.
"""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from capture_app.core.evidence.step_hooks import XRecordHooks
from capture_app.core.evidence.step_windows import X11Platform
from capture_app.core.evidence.steps import StepRecorder

TARGET = Path(__file__).with_name("steps_target_app.py")


def main() -> int:
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1")
    app = subprocess.Popen([sys.executable, str(TARGET), "Termin speichern", "100", "100", "360",
                            "240"], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert app.stdout.readline().strip() == "ready"
        bx, by = json.loads(app.stdout.readline())["button"]
        # Until the application has joined the accessibility bus (it does so in the background).
        from capture_app.core.evidence.step_elements import AtspiElements

        probe, deadline = AtspiElements(), time.monotonic() + 60
        while probe.element_at(bx, by, app.pid) == ("", "") and time.monotonic() < deadline:
            time.sleep(0.2)
        probe.close()
        steps = []
        recorder = StepRecorder("0" * 8 + "-0000-4000-8000-" + "0" * 12, X11Platform(),
                                lambda _r, _i, data: (len(data), "0" * 64),
                                lambda step, _item: steps.append(step))
        hooks = XRecordHooks(recorder.click, recorder.key)
        hooks.start()
        recorder.start()
        for x, y in ((bx, by), (bx, by - 100)):
            subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "1"], check=True,
                           timeout=30)
            time.sleep(0.8)
        hooks.stop()
        recorder.stop()
        print(json.dumps([dataclasses.asdict(s) for s in steps]), flush=True)
    finally:
        app.kill()
        app.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
