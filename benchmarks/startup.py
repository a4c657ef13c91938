"""Time from process start to the wizard on screen, against a bare PySide6 window in the same run.

    python benchmarks/startup.py [--runs N]

Both are started as fresh Python processes on Qt's offscreen platform, alternating, and timed
from spawn until they print that their first window was shown. Target: the wizard appears in
at most 1.5× the time a bare PySide6 window needs (lazy imports, nothing slow at start-up).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_RATIO = 1.5

BARE_WINDOW = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication(sys.argv[:1])
window = QWidget()
window.setWindowTitle("bare")
window.show()
def shown():
    print("shown-after-ms", flush=True)
    app.quit()
QTimer.singleShot(0, shown)
app.exec()
"""


def time_to_shown(command: list[str], env: dict) -> float:
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env=env)
    for line in process.stdout:
        if line.startswith("shown-after-ms"):
            elapsed = (time.perf_counter() - start) * 1000
            break
    else:
        raise RuntimeError(f"{command} never showed a window (exit {process.wait()})")
    process.wait(30)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    # An installed app has byte-compiled modules (pip compiles them); a checkout may not
    # (PYTHONDONTWRITEBYTECODE), so compile first to measure what agents get.
    subprocess.run([sys.executable, "-m", "compileall", "-q", "capture_app"], check=True,
                   env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", REPORT_CAPTURE_HOME=home)
        commands = {
            "bare_pyside6_window": [sys.executable, "-c", BARE_WINDOW],
            "report_wizard": [sys.executable, "-m", "capture_app", "report", "--exit-when-shown"],
        }
        for command in commands.values():  # warm the file cache once, not measured
            time_to_shown(command, env)
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                samples[name].append(time_to_shown(command, env))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    ratio = medians["report_wizard"] / medians["bare_pyside6_window"]
    print(f"{'what':<24}{'median ms':>12}{'min ms':>10}{'max ms':>10}")
    for name, values in samples.items():
        print(f"{name:<24}{medians[name]:>12.1f}{min(values):>10.1f}{max(values):>10.1f}")
    print(f"{'ratio wizard/bare':<24}{ratio:>12.2f}   (target <= {TARGET_RATIO})")
    met = ratio <= TARGET_RATIO
    print(json.dumps({
        "benchmark": "startup",
        "figures": {"bare_window_ms": round(medians["bare_pyside6_window"], 1),
                    "wizard_ms": round(medians["report_wizard"], 1), "ratio": round(ratio, 3),
                    "runs": args.runs},
        "targets": {"ratio_max": TARGET_RATIO},
        "met": met,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
