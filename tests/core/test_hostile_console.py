"""Console text built to hurt: it is read in linear time and still reads right."""
from __future__ import annotations

import pytest

from capture_app.core.evidence import console_log


@pytest.mark.timeout(30)
def test_a_line_repeating_a_level_hint_is_read_in_linear_time():
    line = "Cookie Content-Security-Policy preload WebSocket connection to " * 8_000
    parsed = console_log.parse(line + "\nnormal\n")
    assert [e.level for e in parsed.entries] == ["log", "log"]


def test_a_stack_of_a_hundred_thousand_lines_keeps_its_first_lines_and_counts_the_rest():
    text = "Uncaught TypeError: x is undefined\n" + "    at f (app.js:1:1)\n" * 100_000
    [entry] = console_log.parse(text).entries
    assert entry.level == "error"
    assert entry.message.endswith(f"    … (+{100_000 - console_log.MAX_STACK_LINES})")
    assert entry.message.count("\n") == console_log.MAX_STACK_LINES + 1


def test_hints_that_need_two_words_still_set_the_level():
    assert console_log.infer_level("WebSocket connection to 'wss://x/ws' failed: closed") == "error"
    assert console_log.infer_level("Refused: Content Security Policy directive violated") == "error"
    assert console_log.infer_level("Cookie „sid“ has been rejected because of SameSite") == "warning"
    assert console_log.infer_level("The resource was preloaded but not used within a few seconds") == "warning"
    assert console_log.infer_level("Cookie banner shown") == "log"
