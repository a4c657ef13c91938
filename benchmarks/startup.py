"""Cold start on a desktop: to the tray icon and to the wizard, against bare PySide6 in the same run.

    python benchmarks/startup.py [--runs N]

How it measures: its own X server (Xvfb 1920×1080) with a window manager (openbox) and a tray
host (trayer), no offscreen platform. Each program is started as a fresh process and timed from
spawn until the X server shows its result, seen from outside by benchmarks/xwatch.py (the same
stopwatch for every program):

* ``capture-app --background`` (the start at login) until its icon is docked in the tray,
  against a bare PySide6 process showing a QSystemTrayIcon with a menu;
* ``capture-app report`` until the wizard's first frame is on screen (the first drawing into its
  window, after it was mapped), against a bare PySide6 process showing one QWidget, until its
  first frame. For reference, not judged: the same bare process taking the screen with
  mss before it loads Qt (the plain way, in one thread), as ``capture-app report`` must take it
  before its first window.

Nothing is warmed up but the OS file cache (whatever the previous start left in it): each start
is a new process, the programs alternate round by round, and the figures are medians over the
rounds (each round begins with the next program in turn). The app's data folder is one an
earlier start has used for a few seconds (its caches written, as on an agent's computer after
the first day); a start hands nothing to the next.
The app is started as ``python -m capture_app`` (what its ``capture-app`` script runs).

Also shown for the app: the CPU time (user + system, all threads, from the process's resource
usage, which includes the short-lived process that takes the first screenshot) of the same start
quitting as soon as its first window is up (``--exit-when-shown``; with ``--background``: once
its event loop runs, just before the tray icon is made). Other work on a busy machine sways it
far less than the wall-clock time.

Target: the wizard and the tray icon each within 1.5× their bare PySide6 baseline.
Exit status 1 when a target is missed.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from desktop import Desktop

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.5

BARE_WINDOW = r"""
import sys
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication(sys.argv[:1])
window = QWidget()
window.setWindowTitle("bare")
window.resize(800, 600)
window.show()
app.exec()
"""

# The same, taking the screen with mss first, the plain way (one thread): the least a program
# needs that shows the screen as it was before its first window, for reference.
BARE_WINDOW_AFTER_GRAB = r"""
import mss
with mss.MSS() as grabber:
    grabber.grab(grabber.monitors[0])
""" + BARE_WINDOW

BARE_TRAY = r"""
import sys
from PySide6.QtWidgets import QApplication, QMenu, QStyle, QSystemTrayIcon
app = QApplication(sys.argv[:1])
app.setQuitOnLastWindowClosed(False)
icon = QSystemTrayIcon(app.style().standardIcon(QStyle.StandardPixmap.SP_ComputerIcon))
menu = QMenu()
menu.addAction("Problem melden")
menu.addAction("Beenden", app.quit)
icon.setContextMenu(menu)
icon.show()
app.exec()
"""

def time_to(desktop: Desktop, kind: str, name: str | None, command: list[str], env: dict) -> float:
    """Milliseconds from spawning ``command`` until the watcher sees ``kind`` (of a window
    called ``name``); then it ends."""
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               cwd=ROOT)
    try:
        moment, _ = desktop.watch.wait(kind, after=started, timeout=60, name=name)
    except TimeoutError:
        process.kill()
        raise RuntimeError(f"{command[-1]}: {process.communicate()[1].decode()[-2000:]}") from None
    process.kill()
    process.communicate()
    return (moment - started) * 1000


def cpu_to_first_frame(command: list[str], env: dict) -> float:
    """CPU milliseconds (user + system, all threads) of a start that quits once its first
    window is up (``--exit-when-shown``), from the process's own resource usage."""
    process = subprocess.Popen([*command, "--exit-when-shown"], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{command} ended with {process.returncode}")
    return (usage.ru_utime + usage.ru_stime) * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    # An installed app has byte-compiled modules (pip compiles them); a checkout may not.
    subprocess.run([sys.executable, "-m", "compileall", "-q", "capture_app"], check=True, cwd=ROOT,
                   env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})
    python = sys.executable
    with tempfile.TemporaryDirectory() as home, Desktop(1920, 1080) as desktop:
        env = desktop.env(REPORT_CAPTURE_HOME=home)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        starts = {  # what is awaited: a window's first frame, or the icon docked in the tray
            "bare_window": ("paint", "bare", [python, "-c", BARE_WINDOW]),
            "bare_window_after_grab": ("paint", "bare", [python, "-c", BARE_WINDOW_AFTER_GRAB]),
            "wizard": ("paint", "Problem melden", [python, "-m", "capture_app", "report"]),
            "bare_tray": ("tray", None, [python, "-c", BARE_TRAY]),
            "tray": ("tray", None, [python, "-m", "capture_app", "--background"]),
        }
        # The state of an agent's data folder after an earlier start (its caches written).
        earlier = subprocess.Popen([python, "-m", "capture_app", "--background"], env=env, cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(8)
        earlier.terminate()
        earlier.wait(10)
        samples: dict[str, list[float]] = {name: [] for name in starts}
        cpu: dict[str, list[float]] = {name: [] for name in starts if not name.startswith("bare")}
        names = list(starts)
        for round_ in range(args.runs):
            # Each round starts with another program, so none always follows the same one.
            for name in names[round_ % len(names):] + names[:round_ % len(names)]:
                kind, title, command = starts[name]
                samples[name].append(time_to(desktop, kind, title, command, env))
                time.sleep(0.3)
                if name in cpu:
                    cpu[name].append(cpu_to_first_frame(command, env))
                time.sleep(0.3)
    medians = {name: statistics.median(values) for name, values in samples.items()}
    cpu_medians = {name: statistics.median(values) for name, values in cpu.items()}
    ratios = {"wizard": medians["wizard"] / medians["bare_window"],
              "tray": medians["tray"] / medians["bare_tray"]}
    print(f"cold starts on Xvfb + openbox + trayer, {args.runs} rounds, spawn → window's first "
          f"frame / icon docked, seen by an X event watcher")
    print(f"{'what':<24}{'median ms':>12}{'min ms':>10}{'max ms':>10}{'CPU ms':>8}   each round (ms)")
    for name, values in samples.items():
        print(f"{name:<24}{medians[name]:>12.1f}{min(values):>10.1f}{max(values):>10.1f}"
              f"{cpu_medians.get(name, float('nan')):>8.0f}   "
              + " ".join(f"{value:.0f}" for value in values))
    print(f"ratio wizard / bare window {ratios['wizard']:.2f}, tray / bare tray {ratios['tray']:.2f} "
          f"(target <= {TARGET_RATIO})")
    after_grab = medians["bare_window_after_grab"] / medians["bare_window"]
    print(f"reference, not judged: bare window after an mss grab / bare window {after_grab:.2f}; "
          f"wizard / bare window after an mss grab "
          f"{medians['wizard'] / medians['bare_window_after_grab']:.2f}")
    figures = {f"{name}_ms": round(value, 1) for name, value in medians.items()}
    figures.update({f"{name}_cpu_ms": round(value) for name, value in cpu_medians.items()})
    figures.update(wizard_ratio=round(ratios["wizard"], 3), tray_ratio=round(ratios["tray"], 3),
                   bare_window_after_grab_ratio=round(after_grab, 3), runs=args.runs)
    met = all(ratio <= TARGET_RATIO for ratio in ratios.values())
    print(json.dumps({"benchmark": "startup", "figures": figures,
                      "targets": {"wizard_ratio_max": TARGET_RATIO, "tray_ratio_max": TARGET_RATIO},
                      "met": met}))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
