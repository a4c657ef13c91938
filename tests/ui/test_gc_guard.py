"""Qt objects that become garbage are freed on the UI thread, never in a worker.

A window dropped in a reference cycle used to be freed by whichever thread crossed the
collector's threshold — a worker uploading a report — and the app crashed later (see
ui/gc_guard.py).
"""
from __future__ import annotations

import gc
import threading
from typing import ClassVar

from PySide6.QtWidgets import QTableWidget


class _Table(QTableWidget):
    freed_in: ClassVar[list[str]] = []

    def __del__(self) -> None:
        _Table.freed_in.append(threading.current_thread().name)


def _drop_a_table_in_a_cycle() -> None:
    table = _Table(3, 2)
    table.selectRow(1)
    table.window_state = {"table": table}  # a cycle, as a window and its helpers form one


def _allocate_like_a_worker() -> None:
    # Far more container objects than every generation's threshold: with automatic
    # collection this thread would collect (and free the table) several times.
    keep = []
    for _ in range(20):
        keep.append([[i] for i in range(gc.get_threshold()[0] * 10)])
        keep.pop(0) if len(keep) > 2 else None


def test_the_app_collects_garbage_on_the_ui_thread_only(controller, qtbot):
    assert not gc.isenabled()  # the controller took collection over
    _Table.freed_in.clear()
    _drop_a_table_in_a_cycle()
    worker = threading.Thread(target=_allocate_like_a_worker, name="upload-worker")
    worker.start()
    worker.join(timeout=60)
    assert _Table.freed_in == []  # not freed by the worker's allocations
    qtbot.waitUntil(lambda: _Table.freed_in != [], timeout=5000)  # but soon, by the UI thread
    assert _Table.freed_in == ["MainThread"]


def test_cycles_are_still_collected_while_the_app_runs(controller, qtbot):
    from capture_app.ui import gc_guard

    guard = gc_guard.install()
    before = guard.collections
    for _ in range(5):
        _allocate_like_a_worker()
        qtbot.wait(300)
    assert guard.collections > before
    assert gc.get_count()[0] < gc.get_threshold()[0] * 20  # no pile-up of uncollected objects
