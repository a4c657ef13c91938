"""The app's log file, kept to a few files of bounded size.

The same rotation as the standard library's ``RotatingFileHandler`` (``report-capture.log``,
then ``.1`` … ``.N``, the oldest dropped), on the plain ``FileHandler``: ``logging.handlers``
also brings socket, pickle and queue for its other handlers, about 0.6 MB kept resident all day
by an app that idles in the tray.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path


class RotatingLog(logging.FileHandler):
    def __init__(self, path: Path, *, max_bytes: int, backups: int) -> None:
        super().__init__(path, encoding="utf-8")  # opened now: an unwritable folder shows at once
        self.path, self.max_bytes, self.backups = Path(path), max_bytes, backups

    def emit(self, record: logging.LogRecord) -> None:
        # Called under the handler's lock (Handler.handle): rotating and writing are one step.
        # The record is formatted once: its size decides the rotation, its text is written.
        try:
            line = self.format(record) + self.terminator
        except Exception:  # noqa: BLE001 - as logging's own handlers: reported, never raised
            self.handleError(record)
            return
        try:
            if self._full(line):
                self._rotate()
        except OSError:
            self.handleError(record)  # the record is still written to the current file
        try:
            if self.stream is None:
                self.stream = self._open()
            self.stream.write(line)
            self.flush()
        except Exception:  # noqa: BLE001 - a full disk must not end the app; logging reports it
            self.handleError(record)

    def _full(self, line: str) -> bool:
        size = self.stream.tell() if self.stream is not None else 0
        return size > 0 and size + len(line.encode("utf-8")) > self.max_bytes

    def _rotate(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None  # FileHandler reopens it on the next emit
        for number in range(self.backups - 1, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{number}")
            if older.exists():
                os.replace(older, self.path.with_name(f"{self.path.name}.{number + 1}"))
        if self.backups > 0:
            os.replace(self.path, self.path.with_name(f"{self.path.name}.1"))
        else:
            self.path.unlink()
