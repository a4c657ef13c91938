"""Qt objects that become garbage are freed on the UI thread, never in a worker.

A window dropped in a reference cycle used to be freed by whichever thread crossed the
collector's threshold — a worker uploading a report — and the app crashed later (see
ui/platform/gc_guard.py).
"""
from __future__ import annotations

import gc
import threading
from typing import ClassVar

from PySide6.QtWidgets import QTableWidget


class _Table(QTableWidget):
    freed: ClassVar[dict[int, str]] = {}  # table number -> the thread that freed it
    made = 0

    def __init__(self) -> None:
        super().__init__(3, 2)
        _Table.made += 1
        self.number = _Table.made

    def __del__(self) -> None:
        _Table.freed[self.number] = threading.current_thread().name


def _drop_a_table_in_a_cycle() -> int:
    """A table in a cycle of about fifty objects, as a closed window and its helpers (lambdas,
    rows) leave one; returns its number."""
    table = _Table()
    table.selectRow(1)
    table.window_state = {"table": table, "helpers": [[i] for i in range(50)]}
    return table.number


def _allocate_like_a_worker() -> None:
    # Far more container objects than every generation's threshold: with automatic
    # collection this thread would collect (and free the table) several times.
    keep = []
    for _ in range(20):
        keep.append([[i] for i in range(gc.get_threshold()[0] * 10)])
        keep.pop(0) if len(keep) > 2 else None


def test_the_app_collects_garbage_on_the_ui_thread_only(controller, qtbot):
    assert not gc.isenabled()  # the controller took collection over
    number = _drop_a_table_in_a_cycle()
    worker = threading.Thread(target=_allocate_like_a_worker, name="upload-worker")
    worker.start()
    worker.join(timeout=60)
    assert number not in _Table.freed  # not freed by the worker's allocations
    qtbot.waitUntil(lambda: number in _Table.freed, timeout=5000)  # but soon, by the UI thread
    assert _Table.freed[number] == "MainThread"


def test_new_garbage_is_collected_even_when_older_objects_were_freed_meanwhile(controller):
    """A window closed together with many older objects: the collector's counter (allocations
    less frees) shows nothing new, yet the window's cycle is collected within a second."""
    from capture_app.ui.platform import gc_guard

    guard = gc_guard.install()
    older = [[i] for i in range(2000)]
    gc.collect()  # ``older`` now lives in the oldest generation
    number = _drop_a_table_in_a_cycle()
    del older
    assert gc.get_count()[0] <= gc_guard.NOISE  # the counter no longer shows the table
    for _ in range(gc_guard.YOUNG_EVERY):  # a second of the guard's looks
        guard.check()
    assert _Table.freed.get(number) == "MainThread"


def test_cycles_are_still_collected_while_the_app_runs(controller, qtbot):
    from capture_app.ui.platform import gc_guard

    gc_guard.install()
    numbers = []
    for _ in range(5):
        numbers.append(_drop_a_table_in_a_cycle())
        _allocate_like_a_worker()  # churn that reference counting alone frees
        qtbot.wait(300)
    # busy, the guard looks every 250 ms; idle, a second after the loop wakes
    qtbot.waitUntil(lambda: all(n in _Table.freed for n in numbers), timeout=10_000)
    assert {_Table.freed[n] for n in numbers} == {"MainThread"}
    assert gc.get_count()[0] < gc.get_threshold()[0] * 20  # no pile-up of uncollected objects


IDLE_APP = r"""
import gc, os, sys, threading, time
from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from capture_app.ui.platform import gc_guard
gc_guard.install()
def run_for(ms):
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
def wakeups():  # how often the UI thread was woken from sleep (Linux)
    status = open(f"/proc/self/task/{threading.get_native_id()}/status").read()
    return int(status.split("voluntary_ctxt_switches:")[1].split()[0])
for _ in range(5):  # settle (and the filter's first call, which costs PySide a moment)
    run_for(1000)
before = wakeups()
time.sleep(0)
loop = QEventLoop()
QTimer.singleShot(3000, loop.quit)  # one wake-up of our own, at the end
loop.exec()
idle_wakeups = wakeups() - before
class Window(QObject):
    freed = []
    def __del__(self):
        Window.freed.append(threading.current_thread().name)
kept = []
def busy():  # a burst of work, as when the agent opens a window, leaving a cycle behind
    window = Window()
    window.me = window
    kept.extend([i] for i in range(gc.get_threshold()[0] * 3))  # the new window's objects
    del window
QTimer.singleShot(0, busy)
deadline = time.monotonic() + 10
while not Window.freed and time.monotonic() < deadline:
    run_for(100)
print(idle_wakeups, Window.freed)
"""


def test_an_idle_app_is_not_woken_by_the_collector_and_collects_again_when_busy(tmp_path):
    """In the tray all day, the UI thread sleeps: no look at the counters several times a
    second. Work on the UI thread brings collection back, still on the UI thread."""
    import json
    import os
    import subprocess
    import sys

    if not os.path.exists("/proc/self/task"):
        import pytest

        pytest.skip("wake-ups are read from /proc (Linux)")
    result = subprocess.run([sys.executable, "-c", IDLE_APP], capture_output=True, text=True,
                            timeout=60, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert result.returncode == 0, result.stderr[-2000:]
    wakeups, freed = result.stdout.split(" ", 1)
    assert int(wakeups) <= 2  # 3 s idle: the loop's own end, not 12 looks
    assert json.loads(freed.replace("'", '"')) == ["MainThread"]
