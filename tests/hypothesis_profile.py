"""One fixed example budget for the property-based tests of untrusted input.

Derandomised (the same examples on every run and machine) and bounded, so CI time stays small
and a failure reproduces; no example database is written.
"""
from __future__ import annotations

from hypothesis import HealthCheck, settings

HOSTILE = settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,  # machines are noisy; speed is benchmarks/hostile.py's job
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
# For the slowest readers (a whole HAR per example).
HOSTILE_SMALL = settings(HOSTILE, max_examples=100)
