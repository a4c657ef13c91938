"""Python's garbage collector runs on the UI thread only.

CPython collects reference cycles in whichever thread happens to allocate when a threshold is
crossed — in this app usually a worker building a bundle or uploading. A window or item view
that became garbage in a cycle (signal connections to lambdas make those easily) is then
deleted *in that worker*: its model announces the removal of its rows from the wrong thread,
Qt queues that to the view's selection model on the UI thread, and by the time the UI thread
handles it the model is gone — the app crashes some time later, far from the cause.

So automatic collection is switched off and a timer on the UI thread does the same work: it
looks at the collector's counters a few times a second and collects the generations whose
thresholds are crossed, as CPython would, just always here. Because a worker's temporary
objects can push the counters up and down again between two looks, the youngest generation is
also collected once a second whenever anything new is tracked (microseconds of work).
"""
from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject, QTimer

CHECK_MS = 250
YOUNG_EVERY = 4  # checks: the youngest generation at least once a second

_guard: _Collector | None = None


class _Collector(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.thresholds = gc.get_threshold()
        self.collections = 0
        self._ticks = 0
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> None:
        counts = gc.get_count()
        self._ticks += 1
        generation = 0 if counts[0] > 0 and self._ticks % YOUNG_EVERY == 0 else -1
        for level in range(3):
            if counts[level] > self.thresholds[level]:
                generation = level
        if generation >= 0:
            gc.collect(generation)
            self.collections += 1


def install() -> _Collector:
    """Take over collection (idempotent); call on the UI thread once the QApplication exists."""
    global _guard
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("the collector must be installed on the UI thread")
    if _guard is None:
        _guard = _Collector()
    gc.disable()
    return _guard
