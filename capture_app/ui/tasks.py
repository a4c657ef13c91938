"""The one way to run slow work off the UI thread.

    run_in_background(op, on_success=show, on_error=report, progress_label="Paket wird erstellt …")

``op`` runs in a worker thread and must not touch widgets. It may accept a ``progress``
keyword (a callable ``progress(done, total)``). Results and errors come back to the UI thread
through Qt signals. Anything that takes longer than a moment gets a progress dialog.
"""
from __future__ import annotations

import inspect
import logging
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

log = logging.getLogger(__name__)

PROGRESS_AFTER_MS = 400


class _Signals(QObject):
    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int)


class _Job(QRunnable):
    def __init__(self, op: Callable[..., Any], signals: _Signals):
        super().__init__()
        self._op = op
        self.signals = signals
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            if "progress" in inspect.signature(self._op).parameters:
                result = self._op(progress=lambda done, total: self.signals.progressed.emit(
                    int(min(done, 2**31 - 1)), int(min(total, 2**31 - 1))))
            else:
                result = self._op()
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the UI
            log.debug("background task failed: %s", "".join(traceback.format_exception_only(exc)).strip())
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)


class Task(QObject):
    """A handle on one background operation; keeps its signals alive until it ends."""

    finished = Signal()
    _running: set["Task"] = set()

    def __init__(self, op, on_success, on_error, parent_widget, progress_label, pool):
        super().__init__()
        self._on_success = on_success
        self._on_error = on_error
        self._signals = _Signals()
        # Emitted from the worker thread, received by this object on the UI thread: Qt queues
        # the calls by itself (automatic connection).
        self._signals.succeeded.connect(self._succeeded)
        self._signals.failed.connect(self._failed)
        self._signals.progressed.connect(self._progressed)
        self._dialog: QProgressDialog | None = None
        self._label = progress_label
        self._parent_widget = parent_widget
        self.done = False
        Task._running.add(self)
        if progress_label:
            QTimer.singleShot(PROGRESS_AFTER_MS, self._show_progress)
        (pool or QThreadPool.globalInstance()).start(_Job(op, self._signals))

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

    def _finish(self) -> None:
        self.done = True
        if self._dialog is not None:
            self._dialog.close()
            self._dialog.deleteLater()
            self._dialog = None
        Task._running.discard(self)
        self.finished.emit()

    def _succeeded(self, result: Any) -> None:
        self._finish()
        if self._on_success is not None:
            self._on_success(result)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        if self._on_error is not None:
            self._on_error(exc)
        else:
            log.error("background task failed without handler: %s", type(exc).__name__)


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
