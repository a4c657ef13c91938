"""The background task runner: results, errors and progress come back on the UI thread."""
from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from capture_app.ui.platform import tasks
from capture_app.ui.platform.tasks import run_in_background, serial_pool

pytestmark = pytest.mark.gui


def test_work_runs_off_the_ui_thread_and_the_result_arrives_on_it(qtbot):
    seen = {}

    def op():
        seen["worker"] = threading.get_ident()
        return 42

    def success(value):
        seen["result"] = value
        seen["delivered_on_ui_thread"] = QThread.currentThread() is QApplication.instance().thread()

    run_in_background(op, on_success=success)
    qtbot.waitUntil(lambda: "result" in seen, timeout=5000)
    assert seen["result"] == 42
    assert seen["worker"] != threading.get_ident()
    assert seen["delivered_on_ui_thread"] is True


def test_many_results_including_none_and_booleans_do_not_corrupt_the_interpreter(qtbot):
    # PySide6 6.12.0 broke reference counts of objects sent through Signal(object): after a
    # few hundred results the interpreter aborted. This must keep working.
    results = []
    for value in [None, True, False, 0, "x", (1, 2)] * 100:
        run_in_background(lambda v=value: v, on_success=results.append)
    qtbot.waitUntil(lambda: len(results) == 600, timeout=20_000)
    assert results.count(None) == 100 and results.count(True) == 100


def test_an_exception_reaches_the_error_handler_not_the_success_handler(qtbot):
    outcome = []
    run_in_background(lambda: 1 / 0, on_success=lambda v: outcome.append(("ok", v)),
                      on_error=lambda e: outcome.append(("error", type(e).__name__)))
    qtbot.waitUntil(lambda: len(outcome) == 1, timeout=5000)
    assert outcome == [("error", "ZeroDivisionError")]


def test_serial_pool_keeps_submission_order(qtbot):
    pool = serial_pool()
    order = []
    for n in range(20):
        run_in_background(lambda n=n: (time.sleep(0.002 * (20 - n)), n)[1], on_success=order.append,
                          pool=pool)
    qtbot.waitUntil(lambda: len(order) == 20, timeout=10_000)
    assert order == list(range(20))


def test_slow_work_shows_progress_and_it_closes_at_the_end(qtbot, monkeypatch):
    monkeypatch.setattr(tasks, "PROGRESS_AFTER_MS", 10)
    parent = QWidget()
    qtbot.addWidget(parent)
    release = threading.Event()
    done = []

    def op(progress):
        for step in range(5):
            progress(step, 5)
        release.wait(5)
        return "fertig"

    task = run_in_background(op, on_success=done.append, parent=parent, progress_label="Paket …")
    qtbot.waitUntil(lambda: task._dialog is not None, timeout=5000)
    assert isinstance(task._dialog, QProgressDialog) and task._dialog.labelText() == "Paket …"
    release.set()
    qtbot.waitUntil(lambda: done == ["fertig"], timeout=5000)
    assert task._dialog is None
