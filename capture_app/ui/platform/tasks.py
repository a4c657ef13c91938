"""The one way to run slow work off the UI thread.

    run_in_background(op, on_success=show, on_error=report, progress_label="Paket wird erstellt …")

``op`` runs in a worker thread and must not touch widgets. It may accept a ``progress``
keyword (a callable ``progress(done, total)``). Results and errors come back to the UI thread
through Qt signals. Anything that takes longer than a moment gets a progress dialog.

All results travel through one dispatcher object that lives as long as the application. A
sender object per task would be destroyed on the UI thread as soon as its result was handled,
possibly while the worker thread is still returning from ``emit()`` on it — a crash.

Signals emitted in a worker thread are a known source of crashes in PySide6 (from 6.8 on, a
queued call to a receiver that is not a declared ``@Slot`` can run a freed slot object). So only
the dispatcher's signals cross threads, they carry plain integers, and they reach declared slots.
Results and errors are handed over in a locked dictionary; the signal only says which task is
done. Other code that needs progress from a worker passes ``on_progress`` here rather than
emitting its own signals.
"""
from __future__ import annotations

import inspect
import itertools
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from capture_app.ui.platform.roles import QT_INT_MAX

log = logging.getLogger(__name__)

PROGRESS_AFTER_MS = 400


class _Dispatcher(QObject):
    ended = Signal(int)
    progressed = Signal(int, int, int)

    def __init__(self) -> None:
        super().__init__()
        self.tasks: dict[int, Task] = {}
        self._outcomes: dict[int, tuple[str, Any]] = {}
        self._lock = threading.Lock()
        # Emitted from worker threads; Qt queues them to this object's (the UI) thread.
        self.ended.connect(self._deliver)
        self.progressed.connect(self._progress)

    def hand_over(self, task_id: int, outcome: str, payload: Any) -> None:
        """Called in the worker thread: keep the outcome, then tell the UI thread."""
        with self._lock:
            self._outcomes[task_id] = (outcome, payload)
        try:
            self.ended.emit(task_id)
        except RuntimeError:
            # The application quit while this task ran and took the dispatcher with it: there is
            # no window left to tell ("Signal source has been deleted").
            with self._lock:
                self._outcomes.pop(task_id, None)

    @Slot(int)
    def _deliver(self, task_id: int) -> None:
        with self._lock:
            outcome, payload = self._outcomes.pop(task_id, ("", None))
        task = self.tasks.pop(task_id, None)
        if task is not None and outcome:
            task._ended(outcome, payload)

    @Slot(int, int, int)
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
    def __init__(self, op: Callable[..., Any], task_id: int, dispatcher: _Dispatcher) -> None:
        super().__init__()
        self._op: Callable[..., Any] | None = op
        self._id = task_id
        self._dispatcher = dispatcher
        self.setAutoDelete(True)

    def _report_progress(self, done: int, total: int) -> None:
        try:
            self._dispatcher.progressed.emit(self._id, int(min(done, QT_INT_MAX)),
                                             int(min(total, QT_INT_MAX)))
        except RuntimeError:
            pass  # the application quit meanwhile (see _Dispatcher.hand_over)

    def run(self) -> None:
        try:
            op = self._op
            assert op is not None  # a job runs once
            result = op(progress=self._report_progress) if "progress" in inspect.signature(op).parameters else op()
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the UI
            log.debug("background task failed: %s", type(exc).__name__)
            self._dispatcher.hand_over(self._id, "failed", exc)
        else:
            self._dispatcher.hand_over(self._id, "succeeded", result)
        finally:
            self._op = None  # the closure is released here, not when Qt deletes the runnable


class Task:
    """A handle on one background operation."""

    def __init__(self, op, on_success, on_error, parent_widget, progress_label, pool,
                 on_progress=None) -> None:
        self._on_success = on_success
        self._on_error = on_error
        self._on_progress = on_progress
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
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAccessibleName(self._label)
        dialog.show()
        self._dialog = dialog

    def _progressed(self, done: int, total: int) -> None:
        if self._on_progress is not None:
            self._on_progress(done, total)
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
                      pool: QThreadPool | None = None,
                      on_progress: Callable[[int, int], None] | None = None) -> Task:
    """``on_progress(done, total)`` is called on the UI thread when ``op`` reports progress."""
    return Task(op, on_success, on_error, parent, progress_label, pool, on_progress)


def serial_pool(parent: QObject | None = None) -> QThreadPool:
    """A pool with one thread: jobs run one after another in submission order (autosave)."""
    pool = QThreadPool(parent)
    pool.setMaxThreadCount(1)
    return pool
