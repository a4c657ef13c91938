"""The one way to run slow work off the UI thread.

    run_in_background(op, on_success=show, on_error=report, progress_label="Paket wird erstellt …")

``op`` runs in a worker thread and must not touch widgets. It may accept a ``progress``
keyword (a callable ``progress(done, total)``). Results and errors come back to the UI thread
through Qt signals. Anything that takes longer than a moment gets a progress dialog.

All results travel through one dispatcher object that lives as long as the application. A
sender object per task would be destroyed on the UI thread as soon as its result was handled,
possibly while the worker thread is still returning from ``emit()`` on it — a crash.
"""
from __future__ import annotations

import inspect
import itertools
import logging
import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

log = logging.getLogger(__name__)

PROGRESS_AFTER_MS = 400
_LIMIT = 2**31 - 1  # Qt's int


class _Dispatcher(QObject):
    succeeded = Signal(int, object)
    failed = Signal(int, object)
    progressed = Signal(int, int, int)

    def __init__(self) -> None:
        super().__init__()
        self.tasks: dict[int, Task] = {}
        # Emitted from worker threads; Qt queues them to this object's (the UI) thread.
        self.succeeded.connect(self._succeeded)
        self.failed.connect(self._failed)
        self.progressed.connect(self._progress)

    def _succeeded(self, task_id: int, result: Any) -> None:
        self._deliver(task_id, "succeeded", result)

    def _failed(self, task_id: int, exc: Any) -> None:
        self._deliver(task_id, "failed", exc)

    def _deliver(self, task_id: int, outcome: str, payload: Any) -> None:
        task = self.tasks.pop(task_id, None)
        if task is not None:
            task._ended(outcome, payload)

    def _progress(self, task_id: int, done: int, total: int) -> None:
        task = self.tasks.get(task_id)
        if task is not None:
            task._progressed(done, total)


_dispatcher: _Dispatcher | None = None
_ids = itertools.count(1)
_dispatcher_lock = threading.Lock()


def _get_dispatcher() -> _Dispatcher:
    global _dispatcher
    with _dispatcher_lock:
        if _dispatcher is None:
            _dispatcher = _Dispatcher()  # created on the UI thread by the first call
        return _dispatcher


class _Job(QRunnable):
    def __init__(self, op: Callable[..., Any], task_id: int, dispatcher: _Dispatcher):
        super().__init__()
        self._op = op
        self._id = task_id
        self._dispatcher = dispatcher
        self.setAutoDelete(True)

    def _report_progress(self, done: int, total: int) -> None:
        self._dispatcher.progressed.emit(self._id, int(min(done, _LIMIT)), int(min(total, _LIMIT)))

    def run(self) -> None:
        try:
            if "progress" in inspect.signature(self._op).parameters:
                result = self._op(progress=self._report_progress)
            else:
                result = self._op()
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the UI
            log.debug("background task failed: %s", type(exc).__name__)
            self._dispatcher.failed.emit(self._id, exc)
        else:
            self._dispatcher.succeeded.emit(self._id, result)


class Task:
    """A handle on one background operation."""

    def __init__(self, op, on_success, on_error, parent_widget, progress_label, pool):
        self._on_success = on_success
        self._on_error = on_error
        self._dialog: QProgressDialog | None = None
        self._label = progress_label
        self._parent_widget = parent_widget
        self.done = False
        dispatcher = _get_dispatcher()
        task_id = next(_ids)
        dispatcher.tasks[task_id] = self
        if progress_label:
            QTimer.singleShot(PROGRESS_AFTER_MS, self._show_progress)
        (pool or QThreadPool.globalInstance()).start(_Job(op, task_id, dispatcher))

    def _show_progress(self) -> None:
        if self.done or self._dialog is not None:
            return
        from PySide6.QtCore import Qt

        dialog = QProgressDialog(self._label, "", 0, 0, self._parent_widget)
        dialog.setCancelButton(None)
        dialog.setWindowModality(Qt.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAccessibleName(self._label)
        dialog.show()
        self._dialog = dialog

    def _progressed(self, done: int, total: int) -> None:
        if self._dialog is not None and total > 0:
            self._dialog.setMaximum(total)
            self._dialog.setValue(done)

    def _ended(self, outcome: str, payload: Any) -> None:
        self.done = True
        if self._dialog is not None:
            self._dialog.close()
            self._dialog.deleteLater()
            self._dialog = None
        if outcome == "succeeded":
            if self._on_success is not None:
                self._on_success(payload)
        elif self._on_error is not None:
            self._on_error(payload)
        else:
            log.error("background task failed without handler: %s", type(payload).__name__)


def run_in_background(op: Callable[..., Any], *, on_success: Callable[[Any], None] | None = None,
                      on_error: Callable[[BaseException], None] | None = None,
                      parent: QWidget | None = None, progress_label: str = "",
                      pool: QThreadPool | None = None) -> Task:
    return Task(op, on_success, on_error, parent, progress_label, pool)


def serial_pool(parent: QObject | None = None) -> QThreadPool:
    """A pool with one thread: jobs run one after another in submission order (autosave)."""
    pool = QThreadPool(parent)
    pool.setMaxThreadCount(1)
    return pool
