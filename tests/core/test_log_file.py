"""The log file stays a few files of bounded size, and costs no extra modules."""
from __future__ import annotations

import logging
import subprocess
import sys

from capture_app.core.platform.log_file import RotatingLog


def _logger(tmp_path, name: str, max_bytes: int = 1000, backups: int = 3):
    handler = RotatingLog(tmp_path / "report-capture.log", max_bytes=max_bytes, backups=backups)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger(f"test_log_file.{name}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    return logger, handler


def test_the_log_rotates_at_its_size_and_keeps_only_the_newest_files(tmp_path):
    logger, handler = _logger(tmp_path, "rotate")
    try:
        for number in range(200):  # 200 lines of ~50 bytes: ten files' worth
            logger.info("Zeile %03d " + "x" * 40, number)
    finally:
        handler.close()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["report-capture.log", "report-capture.log.1", "report-capture.log.2",
                     "report-capture.log.3"]
    for path in tmp_path.iterdir():
        assert path.stat().st_size <= 1000
    current = (tmp_path / "report-capture.log").read_text(encoding="utf-8").splitlines()
    assert current[-1].startswith("Zeile 199")  # the newest line is in the current file
    kept = []
    for name in reversed(names[1:]):
        kept += (tmp_path / name).read_text(encoding="utf-8").splitlines()
    kept += current
    numbers = [int(line.split()[1]) for line in kept]
    assert numbers == list(range(numbers[0], 200))  # in order, nothing missing in between
    assert numbers[0] > 0  # the oldest lines were dropped


def test_a_log_left_by_the_last_run_is_continued_and_rotated_when_full(tmp_path):
    (tmp_path / "report-capture.log").write_text("alt\n" * 240, encoding="utf-8")  # 960 bytes
    logger, handler = _logger(tmp_path, "continue")
    try:
        logger.info("neu " + "y" * 60)
    finally:
        handler.close()
    assert (tmp_path / "report-capture.log.1").read_text(encoding="utf-8") == "alt\n" * 240
    assert (tmp_path / "report-capture.log").read_text(encoding="utf-8").startswith("neu ")


def test_the_log_handler_brings_none_of_the_other_handlers_modules():
    code = ("import sys; import capture_app.core.platform.log_file; "
            "print(sorted(m for m in ('logging.handlers', 'socket', 'pickle') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_each_record_is_formatted_once_and_written_whole(tmp_path):
    class Counting(logging.Formatter):
        calls = 0

        def format(self, record):
            Counting.calls += 1
            return super().format(record)

    logger, handler = _logger(tmp_path, "once", max_bytes=200)
    handler.setFormatter(Counting("%(message)s"))
    try:
        for number in range(10):  # rotates on the way: 10 lines of 41 bytes, 200 per file
            logger.info("Zeile %02d " + "z" * 31, number)
    finally:
        handler.close()
    assert Counting.calls == 10
    lines = []
    for name in ("report-capture.log.1", "report-capture.log"):
        lines += (tmp_path / name).read_text(encoding="utf-8").splitlines()
    assert lines[-1] == "Zeile 09 " + "z" * 31
    assert all(len(line) == 40 for line in lines)
