"""The draft store: every report the agent has started, in one SQLite file, plus its attachments.

Nothing here may lose a report:

* The database runs in WAL mode with ``synchronous=FULL``: a committed save survives kill -9 and
  power loss, and a save that was cut off leaves the previous version. Every write is one
  ``BEGIN IMMEDIATE`` transaction, so a second app instance waits for the lock (busy timeout)
  instead of failing, and never sees half a save.
* A database that cannot be read is moved (with its ``-wal``/``-shm`` files) into the set-aside
  folder, never deleted; the app starts with a fresh store and a notice tells the agent what
  happened. A single unreadable row is listed as such, copied to the set-aside folder, and does
  not hide the other drafts.
* A full disk raises :class:`DraftSaveError`; the transaction is rolled back, so the previously
  saved version stays intact.

Attachments live in ``attachments/<report id>/<item id>``, named by id only (the agent's file
name is data, never a path). They are **write-once**: a changed file (re-capture, redaction) gets
a new evidence item id. The caller stores the new file first and then saves the report, so after
a crash the saved report only ever references complete files whose size and SHA-256 match; files
that no saved report references are removed later by :meth:`DraftStore.collect_garbage`.

``save()`` stamps ``report.updated_at`` (and ``created_at`` if empty) from the store's clock
before writing: the stored time is the time of the save, whoever calls it.
"""
from __future__ import annotations

import dataclasses
import errno
import functools
import json
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import threading
import typing
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, cast

from capture_app.core.platform import i18n
from capture_app.core.platform.digest import sha256_hasher
from capture_app.core.platform.errors import UserFacingError
from capture_app.core.platform.fsutil import (
    atomic_write_bytes,
    file_system_now,
    fsync_dir,
    sanitize_filename,
    without_lone_surrogates,
)
from capture_app.core.platform.paths import AppPaths
from capture_app.core.report.model import Report, ReportFormatError, iso, new_id, utc_now

STORE_SCHEMA_VERSION = 1
STATES = ("draft", "queued", "sending", "sent", "needs_attention")
# Queued, sending and sent reports belong to the outbox: what is sent must be what was reviewed.
EDITABLE_STATES = ("draft", "needs_attention")
BUSY_TIMEOUT_MS = 10_000
# Orphaned attachments younger than this may belong to a save still in progress.
GARBAGE_MIN_AGE_SECONDS = 60
_CHUNK = 1024 * 1024
# Ids become folder and file names: anything else (a damaged or hostile row) must not become a path.
_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
_TEMP_SUFFIX = ".tmp"
_COMPANIONS = ("-wal", "-shm", "-journal")
_INCONCLUSIVE = object()

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    f"""CREATE TABLE IF NOT EXISTS reports (
        id TEXT PRIMARY KEY,
        state TEXT NOT NULL DEFAULT 'draft'
            CHECK (state IN ({", ".join(f"'{s}'" for s in STATES)})),
        report_json TEXT NOT NULL,
        summary TEXT NOT NULL DEFAULT '',
        category TEXT NOT NULL DEFAULT '',
        evidence_count INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        revision INTEGER NOT NULL DEFAULT 1 CHECK (revision >= 1)
    )""",
    "CREATE INDEX IF NOT EXISTS reports_by_state_and_time ON reports (state, updated_at DESC)",
)
_REPORT_COLUMNS = {"id", "state", "report_json", "summary", "category", "evidence_count",
                   "created_at", "updated_at", "revision"}

# Store schema upgrades: _MIGRATIONS[n] turns version n into n + 1 inside the open transaction.
_MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {}


# --- messages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """Something the agent should be told once (a set-aside file); the UI shows ``message()``."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    reason_key: str = ""
    reason_params: dict[str, Any] = field(default_factory=dict)

    def message(self, language: str | None = None) -> str:
        params = dict(self.params)
        if self.reason_key:
            params["reason"] = i18n.tr(self.reason_key, language=language, **self.reason_params)
        return i18n.tr(self.key, language=language, **params)


class DraftError(UserFacingError):
    """A failed draft operation; ``message()`` says what, why and what to do (UI language)."""

    def __str__(self) -> str:
        return f"{self.key} {self.params}" if self.params else self.key


class DraftSaveError(DraftError):
    """Nothing was written; what was saved before is unchanged."""


class DraftNotFoundError(DraftError, KeyError):
    pass


class DraftUnreadableError(DraftError):
    """The stored row exists but its report cannot be read; a copy is in the set-aside folder."""


def connect_database(db: Path) -> sqlite3.Connection:
    """A connection to the drafts database as the store and the outbox use it: autocommit mode
    (transactions are opened explicitly with BEGIN IMMEDIATE), shared by worker threads under
    the owner's lock, waiting for other processes' locks."""
    conn = sqlite3.connect(str(db), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


class DraftStoreUnavailableError(DraftError):
    """The database can be neither opened nor set aside (locked elsewhere, no permission)."""


@dataclass(frozen=True)
class DraftSummary:
    """One line of the draft list. ``readable`` is False for a row whose report cannot be read."""

    id: str
    summary: str
    category: str
    updated_at: str  # UTC, ISO 8601
    evidence_count: int
    state: str
    revision: int
    readable: bool = True
    set_aside_path: Path | None = None
    case_id: str = ""
    thumbnail: Path | None = None  # the file of the first screenshot, for the list's picture


# --- the store -----------------------------------------------------------------------------------


class DraftStore:
    def __init__(self, paths: AppPaths, clock: Callable[[], datetime] = utc_now) -> None:
        self.paths = paths
        self._clock = clock
        self._lock = threading.RLock()
        self.notices: list[Notice] = []
        self._unreadable_reported: set[tuple[str, int]] = set()
        self._conn: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None  # (device, inode) of the open file
        try:
            self._ensure_dir(paths.data_dir)
        except OSError as exc:
            raise _unavailable(paths.drafts_db, exc) from exc
        self._conn = self._open()
        self._identity = _identity(paths.drafts_db)

    # -- lifecycle

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> DraftStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def take_notices(self, keys: Iterable[str] | None = None) -> list[Notice]:
        """The notices not yet shown (only those with one of ``keys``, if given), taken off the list."""
        with self._lock:
            if keys is None:
                taken, self.notices = self.notices, []
            else:
                wanted = set(keys)
                taken = [n for n in self.notices if n.key in wanted]
                self.notices = [n for n in self.notices if n.key not in wanted]
            return taken

    # -- reports

    def save(self, report: Report) -> int:
        """Write ``report`` as its newest version and return that version's revision (1, 2, …)."""
        check_id(report.id)
        now = self._now()
        if not report.created_at:
            report.created_at = iso(now)
        report.touch(now)
        # Serialise before the transaction: a programming error must not hold the write lock.
        # A lone surrogate (a broken paste) cannot be stored as UTF-8: it becomes U+FFFD here,
        # or this save and every later one of the report would fail.
        data = without_lone_surrogates(
            json.dumps(report.to_dict(), ensure_ascii=False, separators=(",", ":")))
        summary = without_lone_surrogates(report.summary)
        category = without_lone_surrogates(report.triage.category)
        stamp = _column_time(now)
        with self._write(save=True) as conn:
            row = conn.execute("SELECT state, revision FROM reports WHERE id = ?",
                               (report.id,)).fetchone()
            if row is None:
                revision = 1
                conn.execute(
                    "INSERT INTO reports (id, state, report_json, summary, category,"
                    " evidence_count, created_at, updated_at, revision)"
                    " VALUES (?, 'draft', ?, ?, ?, ?, ?, ?, 1)",
                    (report.id, data, summary, category,
                     len(report.evidence), report.created_at, stamp))
            else:
                state, previous = row
                if state not in EDITABLE_STATES:
                    raise DraftSaveError("drafts.save_not_editable", summary=_label(report.summary),
                                         state=i18n.tr(f"drafts.state_{state}"))
                revision = previous + 1
                conn.execute(
                    "UPDATE reports SET report_json = ?, summary = ?, category = ?,"
                    " evidence_count = ?, updated_at = ?, revision = ? WHERE id = ?",
                    (data, summary, category, len(report.evidence), stamp,
                     revision, report.id))
        return revision

    def load(self, report_id: str) -> Report:
        with self._lock:
            row = self._connection().execute(
                "SELECT id, report_json, summary, revision FROM reports WHERE id = ?",
                (report_id,)).fetchone()
        if row is None:
            raise DraftNotFoundError("drafts.not_found", id=report_id)
        report, problem = _parse(row[0], row[1])
        if report is None:
            notice, _ = self._set_aside_row(row[0], row[1], row[2], row[3], problem)
            raise DraftUnreadableError(notice.key, **notice.params,
                                       reason=i18n.tr(notice.reason_key, **notice.reason_params))
        return report

    def list_drafts(self, states: Iterable[str] = ("draft",)) -> list[DraftSummary]:
        """The stored reports in ``states``, most recently saved first; unreadable ones included."""
        wanted = tuple(states)
        marks = ", ".join("?" for _ in wanted)
        with self._lock:
            rows = self._connection().execute(
                "SELECT id, state, report_json, summary, category, evidence_count, updated_at,"
                f" revision FROM reports WHERE state IN ({marks})"
                " ORDER BY updated_at DESC, id", wanted).fetchall()
        result = []
        for report_id, state, data, summary, category, count, updated, revision in rows:
            report, problem = _parse(report_id, data)
            if report is not None:
                result.append(DraftSummary(
                    report_id, report.summary, report.triage.category, updated,
                    len(report.evidence), state, revision, case_id=report.triage.case_id,
                    thumbnail=self._first_screenshot(report)))
                continue
            _, copy = self._set_aside_row(report_id, data, summary, revision, problem)
            result.append(DraftSummary(report_id, summary, category, updated, count, state,
                                       revision, readable=False, set_aside_path=copy))
        return result

    def _first_screenshot(self, report: Report) -> Path | None:
        first = next((item for item in report.evidence if item.kind == "screenshot"), None)
        try:
            return self.attachment_path(report.id, first.id) if first is not None else None
        except ValueError:  # an id no file of ours can have: no picture
            return None

    def delete(self, report_id: str) -> None:
        """Remove the report and its attachments (the agent deleted the draft)."""
        check_id(report_id)
        with self._write() as conn:
            row = conn.execute("SELECT state, summary FROM reports WHERE id = ?",
                               (report_id,)).fetchone()
            if row is not None and row[0] == "sending":
                raise DraftSaveError("drafts.delete_while_sending", summary=_label(row[1]))
            conn.execute("DELETE FROM reports WHERE id = ?", (report_id,))
        # After the commit: a crash in between leaves only orphaned files for collect_garbage.
        shutil.rmtree(self.attachment_dir(report_id), ignore_errors=True)

    def duplicate(self, report_id: str) -> Report:
        """A new draft with the same content: new id, new timestamps, attachments copied."""
        source = self.load(report_id)
        copy = Report.from_dict(source.to_dict())
        copy.id = new_id()
        copy.created_at = ""
        kept = []
        renamed: dict[str, str] = {}
        for item in copy.evidence:
            old_path = self.attachment_path(source.id, item.id)
            if not old_path.is_file():
                self.notices.append(Notice("drafts.duplicate_attachment_missing",
                                           {"name": item.filename or item.id}))
                continue
            fresh = new_id()
            renamed[item.id] = fresh
            item.id = fresh
            item.size, item.sha256 = self.store_attachment(copy.id, item.id, old_path)
            kept.append(item)
        copy.evidence = kept
        for step in copy.steps:  # a recorded step keeps its picture in the copy
            step.picture = renamed.get(step.picture, "")
        self.save(copy)
        return copy

    # -- attachments

    def attachment_dir(self, report_id: str) -> Path:
        return self.paths.attachments_dir / check_id(report_id)

    def attachment_path(self, report_id: str, item_id: str) -> Path:
        return self.attachment_dir(report_id) / check_id(item_id)

    def store_attachment(self, report_id: str, item_id: str,
                         source: Path | str | bytes | bytearray | memoryview) -> tuple[int, str]:
        """Copy ``source`` to the item's file atomically; return ``(size, sha256 hex)``."""
        target = self.attachment_path(report_id, item_id)
        try:
            self._ensure_dir(target.parent)
            handle, tmp_name = tempfile.mkstemp(prefix=f".{item_id}.", suffix=_TEMP_SUFFIX,
                                                dir=target.parent)
        except OSError as exc:
            raise _attachment_error(exc, self.paths.data_dir) from exc
        digest = sha256_hasher()
        size = 0
        try:
            try:
                with os.fdopen(handle, "wb") as out:
                    for chunk in _chunks(source):
                        digest.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp_name, target)
            except BaseException:
                _unlink_quietly(Path(tmp_name))
                raise
            fsync_dir(target.parent)
        except _SourceError as exc:
            raise DraftSaveError("drafts.attachment_source_unreadable", name=exc.name,
                                 detail=exc.detail) from exc
        except OSError as exc:
            raise _attachment_error(exc, self.paths.data_dir) from exc
        return size, digest.hexdigest()

    def remove_attachment(self, report_id: str, item_id: str) -> None:
        _unlink_quietly(self.attachment_path(report_id, item_id))

    def collect_garbage(self) -> list[Path]:
        """Remove attachment files no stored report references; return what was removed.

        Only files older than a minute go: a file stored just now may belong to a report whose
        save has not happened yet. A report whose JSON cannot be read keeps all its files.
        """
        with self._lock:
            rows = self._connection().execute("SELECT id, report_json FROM reports").fetchall()
        referenced: dict[str, set[str] | None] = {}
        for report_id, data in rows:
            referenced[report_id] = _evidence_ids(data)
        root = self.paths.attachments_dir
        if not root.is_dir():
            return []
        # File times are the file system's, whatever clock stamps the reports.
        cutoff = file_system_now(root) - GARBAGE_MIN_AGE_SECONDS
        removed: list[Path] = []
        for folder in root.iterdir():
            if not folder.is_dir() or not _ID_PATTERN.fullmatch(folder.name):
                continue  # not ours: never remove what we did not write
            keep = referenced.get(folder.name, set())
            if keep is None:
                continue
            for file in folder.iterdir():
                ours = _ID_PATTERN.fullmatch(file.name) or (
                    file.name.startswith(".") and file.name.endswith(_TEMP_SUFFIX))
                if not ours or file.name in keep or not file.is_file():
                    continue
                try:
                    if file.stat().st_mtime < cutoff:
                        file.unlink()
                        removed.append(file)
                except OSError:
                    continue  # gone already, or in use on Windows: next time
            if folder.name not in referenced:
                try:
                    folder.rmdir()  # only if empty
                except OSError:
                    pass
        return removed

    # -- opening, checking, setting aside

    def _open(self) -> sqlite3.Connection:
        db = self.paths.drafts_db
        _repair_companions(db)
        problem = self._inspect_file(db)
        if problem is None or problem is _INCONCLUSIVE:
            conn = self._connect(db)
            try:
                if problem is _INCONCLUSIVE:
                    problem = self._inspect(conn)
                if problem is None:
                    self._prepare(conn)
                    return conn
            except sqlite3.Error as exc:
                if not _is_corruption(exc):
                    conn.close()
                    raise _unavailable(db, exc) from exc
                problem = ("drafts.reason_damaged", {"detail": str(exc)})
            conn.close()
        moved = self._set_aside_database(db)
        assert isinstance(problem, tuple)  # what made the file unusable
        reason_key, reason_params = problem
        self.notices.append(Notice("drafts.db_set_aside",
                                   {"path": str(moved), "folder": str(moved.parent)},
                                   reason_key, reason_params))
        conn = self._connect(db)
        try:
            self._prepare(conn)
        except sqlite3.Error as exc:
            conn.close()
            raise _unavailable(db, exc) from exc
        return conn

    def _inspect_file(self, db: Path) -> tuple[str, dict[str, Any]] | object | None:
        """Check the existing file without changing it: a problem, None, or _INCONCLUSIVE.

        A read-write connection would, on close, checkpoint the -wal into the file and delete
        the -wal: the evidence for IT would be altered before it is set aside. A read-only
        connection never writes.
        """
        if not db.exists():
            # A -wal without its database holds commits no database will ever read again, and a
            # fresh database beside it would replay its pages.
            leftovers = [db.with_name(db.name + suffix) for suffix in ("-wal", "-journal")]
            if any(p.is_file() and p.stat().st_size > 0 for p in leftovers):
                return "drafts.reason_leftover", {}
            return None
        try:
            conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True,
                                   timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except sqlite3.Error:
            return _INCONCLUSIVE
        try:
            return self._inspect(conn)
        except sqlite3.Error as exc:
            if _is_corruption(exc):
                return "drafts.reason_damaged", {"detail": str(exc)}
            # E.g. a hot rollback journal, which only a writer may roll back.
            return _INCONCLUSIVE
        finally:
            conn.close()

    @staticmethod
    def _connect(db: Path) -> sqlite3.Connection:
        try:
            conn = connect_database(db)
        except sqlite3.Error as exc:
            raise _unavailable(db, exc) from exc
        return conn

    @staticmethod
    def _inspect(conn: sqlite3.Connection) -> tuple[str, dict[str, Any]] | None:
        """Why this file cannot be our store, or None. Reads only: the evidence stays as it was."""
        result = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
        if result != ["ok"]:
            return "drafts.reason_damaged", {"detail": "; ".join(result[:3])[:300]}
        tables = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}
        if "reports" in tables:
            columns = {row[1] for row in conn.execute("PRAGMA table_info(reports)").fetchall()}
            if not columns >= _REPORT_COLUMNS or "meta" not in tables:
                return "drafts.reason_foreign", {}
        elif {t for t in tables if not t.startswith("sqlite_")} - {"meta"}:
            return "drafts.reason_foreign", {}
        if "meta" in tables:
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row and str(row[0]).isdigit() else None
            if version is None:
                return "drafts.reason_foreign", {}
            if version > STORE_SCHEMA_VERSION:
                return "drafts.reason_newer", {"version": version}
        return None

    @staticmethod
    def _prepare(conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA journal_mode = WAL")
        # FULL: in WAL mode NORMAL may lose the last commits on power loss; a draft must not.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA:
                conn.execute(statement)
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row else STORE_SCHEMA_VERSION
            while version < STORE_SCHEMA_VERSION:
                _MIGRATIONS[version](conn)
                version += 1
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                         (str(version),))
            conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise

    def _set_aside_database(self, db: Path) -> Path:
        """Move the database and its companion files into the set-aside folder; return where to."""
        folder = self.paths.quarantine_dir
        stamp = self._now().strftime("%Y%m%dT%H%M%SZ")
        target = _free_name(folder, f"{db.stem}-{stamp}", db.suffix, companions=_COMPANIONS)
        moved: list[Path] = []
        try:
            self._ensure_dir(folder)
            # The companions first: a fresh database beside an old -wal would replay its pages.
            for suffix in (*_COMPANIONS, ""):
                source = db.with_name(db.name + suffix)
                if source.exists():
                    destination = target.with_name(target.name + suffix)
                    os.replace(source, destination)
                    moved.append(destination)
            fsync_dir(folder)
            fsync_dir(db.parent)
        except OSError as exc:
            raise DraftStoreUnavailableError("drafts.db_cannot_set_aside", path=str(db),
                                             folder=str(folder), detail=str(exc)) from exc
        return target if target in moved else (moved[0] if moved else folder)

    def _set_aside_row(self, report_id: str, data: Any, summary: str, revision: int,
                       problem: tuple[str, dict[str, Any]]) -> tuple[Notice, Path | None]:
        """Copy an unreadable row's JSON to the set-aside folder and tell the agent, once each."""
        folder = self.paths.quarantine_dir
        name = f"draft-{sanitize_filename(str(report_id), 'unbekannt')}-r{revision}.json"
        path = folder / name
        raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data or b"")
        copy: Path | None = path
        try:
            if not path.exists():
                self._ensure_dir(folder)
                atomic_write_bytes(path, raw)
        except OSError:
            # The row itself stays in the database, so nothing is lost; only the copy is missing.
            copy = None
        params = {"summary": _label(str(summary or "")), "id": report_id,
                  "path": str(copy or self.paths.drafts_db)}
        notice = Notice("drafts.draft_unreadable", params, *problem)
        key = (str(report_id), revision)
        with self._lock:
            if key not in self._unreadable_reported:
                self._unreadable_reported.add(key)
                self.notices.append(notice)
        return notice, copy

    # -- helpers

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise DraftStoreUnavailableError("drafts.db_closed", path=str(self.paths.drafts_db),
                                             detail="closed")
        return self._conn

    @contextmanager
    def _write(self, save: bool = False) -> Iterator[sqlite3.Connection]:
        """One write transaction; SQLite failures become DraftSaveError after rolling back."""
        prefix = "drafts.save" if save else "drafts.write"
        with self._lock:
            conn = self._connection()
            if _identity(self.paths.drafts_db) != self._identity:
                conn = self._recreate()
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    conn.execute("COMMIT")
                except BaseException:
                    _rollback(conn)
                    raise
            except sqlite3.Error as exc:
                raise _write_error(prefix, exc, self.paths.data_dir) from exc

    def _recreate(self) -> sqlite3.Connection:
        """The database file was deleted (or replaced) while the app ran: the open connection
        still holds every draft, so they are copied into a new file at the usual place, and
        the agent is told. Without this every save would go into the deleted file and the
        drafts would be gone at the next start."""
        db = self.paths.drafts_db
        old = self._connection()
        try:
            old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._ensure_dir(db.parent)
            handle, tmp_name = tempfile.mkstemp(prefix=f".{db.name}.", suffix=_TEMP_SUFFIX,
                                                dir=db.parent)
            os.close(handle)
            copy = sqlite3.connect(tmp_name)
            try:
                old.backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")
            finally:
                copy.close()
        except (OSError, sqlite3.Error) as exc:
            raise _write_error("drafts.save", exc, self.paths.data_dir) \
                if isinstance(exc, sqlite3.Error) else _unavailable(db, exc) from exc
        old.close()
        self._conn = None
        # Whatever is left of the deleted file (its -wal/-shm) must not be read as the new one's.
        for suffix in _COMPANIONS:
            _unlink_quietly(db.with_name(db.name + suffix))
        os.replace(tmp_name, db)
        fsync_dir(db.parent)
        self._conn = self._open()
        self._identity = _identity(db)
        self.notices.append(Notice("drafts.db_recreated", {"path": str(db)}))
        return self._conn

    def _now(self) -> datetime:
        now = self._clock()
        return now if now.tzinfo else now.replace(tzinfo=timezone.utc)

    @staticmethod
    def _ensure_dir(folder: Path) -> None:
        missing = []
        while not folder.is_dir():
            missing.append(folder)
            folder = folder.parent
        for new_folder in reversed(missing):
            new_folder.mkdir(exist_ok=True)
            # A new folder's entry must be durable before files inside it are relied on.
            fsync_dir(new_folder.parent)


# --- module helpers ------------------------------------------------------------------------------


class _SourceError(Exception):
    def __init__(self, name: str, detail: str) -> None:
        super().__init__(detail)
        self.name = name
        self.detail = detail


def _chunks(source: Path | str | bytes | bytearray | memoryview) -> Iterator[bytes]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        view = memoryview(source)
        for start in range(0, len(view), _CHUNK):
            yield bytes(view[start:start + _CHUNK])
        return
    path = Path(source)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise _SourceError(path.name, exc.strerror or str(exc)) from exc
    with handle:
        while True:
            try:
                chunk = handle.read(_CHUNK)
            except OSError as exc:
                raise _SourceError(path.name, exc.strerror or str(exc)) from exc
            if not chunk:
                return
            yield chunk


def check_id(value: str) -> str:
    if not isinstance(value, str) or not _ID_PATTERN.fullmatch(value):
        raise ValueError(f"not a valid report or item id: {value!r}")
    return value


def _parse(report_id: str, data: Any) -> tuple[Report | None, tuple[str, dict[str, Any]]]:
    try:
        report = Report.from_dict(json.loads(data))
    except (json.JSONDecodeError, TypeError, UnicodeDecodeError, RecursionError) as exc:
        return None, ("drafts.reason_not_json", {"detail": str(exc)[:200]})
    except ReportFormatError as exc:
        if i18n.has(exc.key):
            return None, (exc.key, dict(exc.params))
        return None, ("drafts.reason_format", {"detail": exc.key})
    if report.id != report_id:
        return None, ("drafts.reason_id_mismatch", {"found": str(report.id)[:80]})
    wrong = _shape_problem(report)
    if wrong:
        return None, ("drafts.reason_format", {"detail": wrong})
    return report, ("", {})


def _shape_problem(obj: Any, where: str = "") -> str | None:
    """The first field whose value has the wrong type (``from_dict`` keeps whatever it finds).

    A draft that passed ``from_dict`` with ``"triage": "x"`` would otherwise crash the list or
    the editor later, far from the cause.
    """
    hints = _type_hints(type(obj))  # type: ignore[arg-type]  # classes are hashable
    for f in dataclasses.fields(obj):
        value, hint, name = getattr(obj, f.name), hints[f.name], f"{where}{f.name}"
        origin = typing.get_origin(hint) or hint
        if dataclasses.is_dataclass(origin):
            if not isinstance(value, cast(type, origin)):
                return name
            inner = _shape_problem(value, f"{name}.")
            if inner:
                return inner
        elif origin is list:
            if not isinstance(value, list):
                return name
            (item_type,) = typing.get_args(hint) or (Any,)
            for index, item in enumerate(value):
                if dataclasses.is_dataclass(item_type):
                    if not isinstance(item, cast(type, item_type)):
                        return f"{name}[{index}]"
                    inner = _shape_problem(item, f"{name}[{index}].")
                    if inner:
                        return inner
                elif item_type is not Any and not isinstance(item, typing.get_origin(item_type)
                                                             or item_type):
                    return f"{name}[{index}]"
        elif origin is dict:
            if not isinstance(value, dict):
                return name
        elif origin in (str, bool):
            if type(value) is not origin:
                return name
        elif origin is int and (not isinstance(value, int) or isinstance(value, bool)):
            return name
    return None


@functools.cache
def _type_hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _evidence_ids(data: Any) -> set[str] | None:
    """Item ids a stored report references; None when the JSON cannot be read (keep everything)."""
    try:
        evidence = json.loads(data).get("evidence", [])
        return {item["id"] for item in evidence if isinstance(item.get("id"), str)}
    except (ValueError, TypeError, AttributeError, KeyError, RecursionError):
        return None


def _is_corruption(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and sys.version_info >= (3, 11):
        return code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    # Python 3.10 has no error codes: corruption is the plain DatabaseError, while locks,
    # permissions and full disks are OperationalError.
    return type(exc) is sqlite3.DatabaseError


def is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and sys.version_info >= (3, 11):
        return cast("bool", code & 0xFF == sqlite3.SQLITE_FULL)
    return "disk is full" in str(exc)


def _identity(db: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(db)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _companions_read_only(db: Path) -> list[Path]:
    return [path for path in (db.with_name(db.name + s) for s in ("-wal", "-shm"))
            if path.exists() and not os.access(path, os.W_OK)]


def _repair_companions(db: Path) -> None:
    """A start that failed on a read-only database leaves its ``-wal``/``-shm`` read-only too
    (SQLite gives them the database's permissions); once the database is writable again, so
    are they — where this user may change them."""
    if not db.exists() or not os.access(db, os.W_OK):
        return
    for path in _companions_read_only(db):
        try:
            os.chmod(path, (db.stat().st_mode & 0o666) | 0o600)
        except OSError:
            pass  # someone else's file: the message names it


def _unavailable(db: Path, exc: BaseException) -> DraftStoreUnavailableError:
    """Why the database cannot be opened, said as specifically as the facts allow."""
    detail = (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
    if is_disk_full(exc):
        return DraftStoreUnavailableError("drafts.db_disk_full", path=str(db),
                                          folder=str(db.parent), detail=detail)
    stuck = _companions_read_only(db)
    if stuck:
        return DraftStoreUnavailableError("drafts.db_companions_read_only", path=str(db),
                                          files=", ".join(str(p) for p in stuck), detail=detail)
    return DraftStoreUnavailableError("drafts.db_unavailable", path=str(db), detail=detail)


def is_busy(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and sys.version_info >= (3, 11):
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)


def _write_error(prefix: str, exc: sqlite3.Error, folder: Path) -> DraftSaveError:
    if is_disk_full(exc):
        return DraftSaveError(f"{prefix}_disk_full", folder=str(folder))
    if is_busy(exc):
        return DraftSaveError(f"{prefix}_busy")
    return DraftSaveError(f"{prefix}_failed", detail=str(exc))


def _attachment_error(exc: OSError, folder: Path) -> DraftSaveError:
    if is_disk_full(exc):
        return DraftSaveError("drafts.attachment_disk_full", folder=str(folder))
    return DraftSaveError("drafts.attachment_failed", folder=str(folder),
                          detail=exc.strerror or str(exc))


def _column_time(moment: datetime) -> str:
    # Microseconds and UTC so that the text order is the time order.
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _label(summary: str) -> str:
    return summary.strip() or i18n.tr("drafts.untitled")


def _free_name(folder: Path, stem: str, suffix: str, companions: tuple[str, ...]) -> Path:
    counter = 1
    while True:
        name = f"{stem}{suffix}" if counter == 1 else f"{stem}-{counter}{suffix}"
        candidate = folder / name
        taken = [candidate, *(candidate.with_name(name + c) for c in companions)]
        if not any(p.exists() for p in taken):
            return candidate
        counter += 1


def _rollback(conn: sqlite3.Connection) -> None:
    # After SQLITE_FULL SQLite may already have rolled back; the original error is what matters.
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass


def _unlink_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
