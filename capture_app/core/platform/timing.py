"""Moments the benchmarks need from inside the app, printed only when asked for.

With ``REPORT_CAPTURE_TIMING=1`` in the environment, :func:`mark` prints ``timing NAME SECONDS``
to standard error, the seconds on the system's monotonic clock (``CLOCK_MONOTONIC`` on Linux),
which every process on the machine shares; otherwise it does nothing. Used by
``benchmarks/report_latency.py`` for the moment the screen was grabbed and the steps of opening
the wizard (the request arrived, the wizard built, its window shown).
"""
from __future__ import annotations

import os
import sys
import time

ENABLED = os.environ.get("REPORT_CAPTURE_TIMING") == "1"


def mark(name: str) -> None:
    if ENABLED:
        # One write per line: print() writes the text and the newline apart, and two threads
        # marking at once (the grab and the UI thread) would run their lines together.
        sys.stderr.write(f"timing {name} {time.monotonic():.6f}\n")
        sys.stderr.flush()
