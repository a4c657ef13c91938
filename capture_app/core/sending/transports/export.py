"""Export: put the bundle into a folder the agent chose (a share, a USB stick, the desktop).

The copy is written under a temporary name in the target folder, fsynced, and then published
under a readable name that never replaces an existing file — exporting twice gives
``Problembericht-2026-11-27-1a2b3c4d (2).zip``, not a lost first export.
"""
from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from capture_app.core.platform.digest import sha256_hasher
from capture_app.core.platform.fsutil import fsync_dir, sanitize_filename, unique_name
from capture_app.core.platform.i18n import tr
from capture_app.core.platform.sizes import MB
from capture_app.core.report.model import Report, iso, parse_instant, utc_now
from capture_app.core.sending.transports.base import (
    PermanentTransportError,
    Progress,
    Receipt,
    Transport,
    no_progress,
)

CHUNK = 1024 * 1024


def export_file_name(report: Report, now: datetime) -> str:
    """``Problembericht-<date the report was created, agent's zone>-<short id>.zip``."""
    created = parse_instant(report.created_at) or now
    try:
        if report.agent_timezone:
            created = created.astimezone(ZoneInfo(report.agent_timezone))
    except (KeyError, ValueError, OSError):
        pass
    stem = tr("bundle.export.file_stem", language=report.language)
    short_id = report.id.replace("-", "")[:8]
    return sanitize_filename(f"{stem}-{created:%Y-%m-%d}-{short_id}.zip", fallback="report")


class ExportTransport(Transport):
    name = "export"
    hands_over = True

    def __init__(self, folder: Path | str, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.folder = Path(folder)
        self.clock = clock

    def send(self, bundle_path: Path, report: Report, progress: Progress = no_progress) -> Receipt:
        folder = self.folder
        self._check_folder(folder)
        bundle_path = Path(bundle_path)
        try:
            total = bundle_path.stat().st_size
        except OSError as exc:
            raise PermanentTransportError("bundle.export.bundle_missing", path=str(bundle_path),
                                          reason=exc.strerror or "") from exc
        if shutil.disk_usage(folder).free < total:  # fail before writing half a file
            raise self._disk_full(folder, total)
        now = self.clock()
        tmp = self._copy_to_temp(bundle_path, folder, total, progress)
        try:
            target = _publish(tmp.path, folder, export_file_name(report, now))
            fsync_dir(folder)
        except OSError as exc:
            _remove(tmp.path)
            raise self._write_error(exc, folder, total) from exc
        return Receipt(self.name, str(folder), iso(now), target.name, tmp.sha256, tmp.size)

    def check(self) -> str:
        """The folder exists, is a folder, and really takes a file (written, synced, removed)."""
        folder = self.folder
        self._check_folder(folder)
        try:
            fd, name = tempfile.mkstemp(prefix=".report-export-check.", suffix=".tmp", dir=folder)
            try:
                os.write(fd, b"Report Capture: Probe, wird sofort wieder entfernt\n")
                os.fsync(fd)
            finally:
                os.close(fd)
            os.unlink(name)
            free = shutil.disk_usage(folder).free
        except OSError as exc:
            raise self._write_error(exc, folder, 0) from exc
        from capture_app.core.platform.i18n import current_language
        from capture_app.core.platform.sizes import format_size

        return tr("sending.check.export_ok", folder=str(folder),
                  free=format_size(free, current_language()))

    # --- steps ----------------------------------------------------------------------------

    @staticmethod
    def _check_folder(folder: Path) -> None:
        if not folder.exists():
            raise PermanentTransportError("bundle.export.folder_missing", folder=str(folder))
        if not folder.is_dir():
            raise PermanentTransportError("bundle.export.not_a_folder", folder=str(folder))
        if not os.access(folder, os.W_OK | os.X_OK):
            raise PermanentTransportError("bundle.export.not_writable", folder=str(folder))

    def _copy_to_temp(self, source: Path, folder: Path, total: int, progress: Progress) -> _Copied:
        try:
            fd, name = tempfile.mkstemp(prefix=".report-export.", suffix=".tmp", dir=folder)
        except OSError as exc:
            raise self._write_error(exc, folder, total) from exc
        digest = sha256_hasher()
        done = 0
        try:
            with os.fdopen(fd, "wb") as target, source.open("rb") as src:
                progress(0, total)
                while chunk := src.read(CHUNK):
                    target.write(chunk)
                    digest.update(chunk)
                    done += len(chunk)
                    progress(done, total)
                target.flush()
                os.fsync(target.fileno())
        except OSError as exc:
            _remove(Path(name))
            raise self._write_error(exc, folder, total) from exc
        except BaseException:
            _remove(Path(name))
            raise
        return _Copied(Path(name), done, digest.hexdigest())

    def _write_error(self, exc: OSError, folder: Path, total: int) -> PermanentTransportError:
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
            return self._disk_full(folder, total)
        if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EROFS):
            return PermanentTransportError("bundle.export.not_writable", folder=str(folder))
        return PermanentTransportError("bundle.export.write_failed", folder=str(folder),
                                       reason=exc.strerror or exc.__class__.__name__)

    @staticmethod
    def _disk_full(folder: Path, total: int) -> PermanentTransportError:
        size_mb = max(1, -(-total // MB))
        return PermanentTransportError("bundle.export.disk_full", folder=str(folder), size_mb=size_mb)


@dataclass(frozen=True)
class _Copied:
    path: Path
    size: int
    sha256: str


def _publish(tmp: Path, folder: Path, name: str) -> Path:
    """Give the finished copy its name without ever replacing an existing file."""
    taken = set(os.listdir(folder))
    while True:
        candidate = unique_name(name, taken)
        target = folder / candidate
        try:
            os.link(tmp, target)  # fails rather than overwriting, even against a racing writer
        except FileExistsError:
            taken.add(candidate)
            continue
        except OSError:
            # No hard links here (FAT/exFAT sticks, some shares): check, then rename.
            if target.exists():
                taken.add(candidate)
                continue
            os.replace(tmp, target)
            return target
        _remove(tmp)
        return target


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
