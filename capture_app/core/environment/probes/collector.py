"""Run probes at the same time, each within its own timeout.

Every probe gets its own daemon thread: the slowest probe sets the wall time, not the sum of
all. A probe that overruns its timeout is recorded as "unknown (no answer within N s)" and left
behind; it cannot keep the app from quitting (daemon thread) and its late answer is ignored.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from capture_app.core.environment.probes.base import (
    Probe,
    ProbeFailed,
    ProbeResult,
    Unknown,
    Value,
    render_value,
    unknown,
)

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass
class Collection:
    """The results of one run, in the order the probes were given."""

    results: list[ProbeResult] = field(default_factory=list)
    seconds: float = 0.0

    def values(self) -> dict[str, Value]:
        merged: dict[str, Value] = {}
        for result in self.results:
            merged.update(result.values)
        return merged

    def rendered(self, language: str | None = None) -> dict[str, str]:
        """Every value as text in ``language``: what goes into ``report.system.values``."""
        return {key: render_value(value, language) for key, value in self.values().items()}

    def result(self, name: str) -> ProbeResult | None:
        return next((r for r in self.results if r.name == name), None)


def _failed(probe: Probe, reason: Unknown) -> dict[str, Value]:
    return {key: reason for key in probe.keys}


def run_probe(probe: Probe) -> dict[str, Value]:
    """One probe on the calling thread; any failure becomes "unknown (reason)" for its keys."""
    try:
        values = dict(probe.run())
    except ProbeFailed as exc:
        return _failed(probe, exc.unknown)
    except Exception as exc:  # noqa: BLE001 - one broken probe must not break the others
        log.warning("probe %s failed: %s", probe.name, type(exc).__name__)
        return _failed(probe, unknown("probe_error", error=type(exc).__name__))
    for key in probe.keys:  # a key the probe forgot is still answered
        values.setdefault(key, unknown("not_reported"))
    return values


def collect(probes: Sequence[Probe], *, progress: Progress | None = None,
            clock: Callable[[], float] = time.monotonic) -> Collection:
    """Run ``probes`` concurrently; returns when each has answered or run out of time."""
    started = clock()
    answers: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def worker(index: int, probe: Probe) -> None:
        begun = clock()
        values = run_probe(probe)
        answers.put((index, values, clock() - begun))

    deadlines = {}
    for index, probe in enumerate(probes):
        deadlines[index] = started + max(probe.timeout, 0.0)
        threading.Thread(target=worker, args=(index, probe), name=f"probe-{probe.name}",
                         daemon=True).start()
    results: dict[int, ProbeResult] = {}
    pending = set(deadlines)
    total = len(probes)

    def settle(index: int, result: ProbeResult) -> None:
        results[index] = result
        pending.discard(index)
        if progress is not None:
            progress(total - len(pending), total)

    while pending:
        wait = max(0.0, min(deadlines[i] for i in pending) - clock())
        try:
            index, values, seconds = answers.get(timeout=wait)
        except queue.Empty:
            now = clock()
            for index in sorted(pending):
                if deadlines[index] <= now:
                    probe = probes[index]
                    reason = unknown("timeout", seconds=f"{probe.timeout:g}")
                    settle(index, ProbeResult(probe.name, _failed(probe, reason),
                                              now - started, timed_out=True))
            continue
        if index in pending:
            settle(index, ProbeResult(probes[index].name, values, seconds))
    return Collection([results[i] for i in range(total)], clock() - started)


def slowest_single(probes: Iterable[Probe]) -> tuple[str, float]:
    """Each probe alone, one after another: the name and seconds of the slowest (benchmarks)."""
    worst = ("", 0.0)
    for probe in probes:
        begun = time.perf_counter()
        collect([probe])
        seconds = time.perf_counter() - begun
        if seconds > worst[1]:
            worst = (probe.name, seconds)
    return worst
