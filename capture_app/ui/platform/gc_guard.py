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
also collected once a second whenever anything new is tracked (microseconds of work) — judged
by what that generation holds, not by the counter alone, which frees of older objects lower.

An app idling in the tray all day must not wake the computer four times a second for that:
once the counters have stood still for a second, the timer slows to one look every 30 seconds
(collecting as above, the youngest generation included). When the UI thread's event loop
wakes up (a click, a timer, a worker's result) and finds new objects tracked, it takes one
look a second later; when it finds more than the youngest generation's threshold, the app is
busy again and the quick looks come back. (A Python event
filter would see every event too, but PySide's first calls of one cost tens of milliseconds,
just when the agent clicks.)
"""
from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QAbstractEventDispatcher, QObject, QTimer, Slot

CHECK_MS = 250
YOUNG_EVERY = 4  # checks: the youngest generation at least once a second
IDLE_CHECK_MS = 30_000  # while nothing happens: still a look now and then
IDLE_LOOK_MS = 1000  # idle, and something new was tracked: one look this much later
IDLE_AFTER = YOUNG_EVERY  # looks with the counters standing still before slowing down
NOISE = 20  # new objects a look itself (the timer's call into Python) may leave counted

_guard: _Collector | None = None


class _Collector(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.thresholds = gc.get_threshold()
        self.collections = 0
        self.checks = 0
        self.idle = False
        self._ticks = 0
        self._still = 0
        self._last: tuple[int, int, int] | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> None:
        counts = gc.get_count()
        self.checks += 1
        self._ticks += 1
        young_due = self.idle or self._ticks % YOUNG_EVERY == 0
        generation = 0 if young_due and young_objects(counts[0]) > NOISE else -1
        for level in range(3):
            if counts[level] > self.thresholds[level]:
                generation = level
        if generation >= 0:
            gc.collect(generation)
            self.collections += 1
        last = self._last or (-NOISE - 1, -1, -1)  # the first look: nothing to compare
        still = abs(counts[0] - last[0]) <= NOISE and counts[1:] == last[1:]
        self._still = self._still + 1 if still else 0
        self._last = counts
        if self._still >= IDLE_AFTER and not self.idle:
            self._sleep()
        elif self.idle and self.timer.interval() != IDLE_CHECK_MS:
            self.timer.setInterval(IDLE_CHECK_MS)

    def _sleep(self) -> None:
        dispatcher = QAbstractEventDispatcher.instance()
        if dispatcher is None:
            return
        self.idle = True
        self.timer.setInterval(IDLE_CHECK_MS)  # restarts the timer
        dispatcher.awake.connect(self._awoken)

    def _wake(self) -> None:
        self.idle = False
        self._still = 0
        QAbstractEventDispatcher.instance().awake.disconnect(self._awoken)
        self.timer.setInterval(CHECK_MS)

    @Slot()
    def _awoken(self) -> None:
        """The UI thread's event loop woke up (an event came): busy again?"""
        if not self.idle:
            return
        counts = gc.get_count()
        if counts[0] > self.thresholds[0]:
            self._wake()
        elif self._last is not None and (
                abs(counts[0] - self._last[0]) > NOISE or counts[1:] != self._last[1:]) \
                and self.timer.interval() == IDLE_CHECK_MS:
            self.timer.start(IDLE_LOOK_MS)  # something new: one look soon, as CPython would


def young_objects(count: int) -> int:
    """How many objects the youngest generation holds, at least roughly (``count``: the
    collector's own first count). That count is allocations less frees since the last
    collection, and frees of older objects lower it too: a closed window's cycle can hide
    behind the objects freed with it, from CPython's threshold as from this guard. Below the
    noise level the generation itself is counted (once a second at most, a short list then)."""
    return count if count > NOISE else len(gc.get_objects(generation=0))


def install() -> _Collector:
    """Take over collection (idempotent); call on the UI thread once the QApplication exists."""
    global _guard
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("the collector must be installed on the UI thread")
    if _guard is None:
        _guard = _Collector()
    gc.disable()
    return _guard
