"""The outbox: reports on their way out, in the draft store's SQLite file (DESIGN §4).

States live in the ``reports`` table of the draft store (``draft → queued → sending → sent |
needs_attention``, ``needs_attention → queued`` on retry); this module adds two tables to the
same file:

* ``outbox`` — one row per report that left the draft state: attempts, when to try next, the
  last error (message key, parameters, the server's reason), the built bundle and its hash, and
  the **lease**: which process is sending the report and until when.
* ``receipts`` — proof of every sent report (when, how, where to, the server's ticket id or
  Message-ID, the SHA-256 and size of what was sent). A receipt outlives the report's local data,
  which is deleted after the retention period.

Every transition is one ``BEGIN IMMEDIATE`` transaction that checks the state it starts from, so
two app instances (or the app and a crashed instance's leftovers) never both send a report: a
process *claims* a report by writing its owner id and a lease expiry; only the owner may complete
or fail it; a lease whose process is gone (same machine, pid no longer alive) or whose expiry has
passed may be claimed again. A sender renews its lease while it uploads.

Temporary failures stay queued with exponential backoff and jitter, never earlier than the
server's ``Retry-After``; permanent ones move to *needs attention* with a fix the agent can take.
"""
from __future__ import annotations

import json
import logging
import os
import random
import shutil
import socket
import sqlite3
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, cast

from capture_app.core.platform import i18n
from capture_app.core.platform.errors import UserFacingError
from capture_app.core.report.model import Report, ReportFormatError, utc_now
from capture_app.core.sending.transports.base import (
    PermanentTransportError,
    Receipt,
    TemporaryTransportError,
    TransportError,
)

log = logging.getLogger(__name__)

LEASE_SECONDS = 90.0
# WAL checkpoints (copying committed pages into the database file, with fsync) run on a thread
# of their own after this many outbox transactions, not inside the commit of the report that
# happens to cross SQLite's threshold; a backlog then drains without those stalls.
CHECKPOINT_EVERY_COMMITS = 64
# The WAL file starts over when a commit finds everything copied; while uploads keep committing
# that may not happen, so at this size (16 MB) the committing connection checkpoints itself -
# cheaply, as the thread has copied nearly everything already.
BACKSTOP_CHECKPOINT_PAGES = 4000
BACKOFF_BASE_SECONDS = 30.0
BACKOFF_CAP_SECONDS = 3600.0
MAX_RETRY_AFTER_SECONDS = 24 * 3600.0
OUTBOX_STATES = ("queued", "sending", "handed_over", "sent", "needs_attention")
# A report given to the agent's mail program (or exported for the agent to pass on) is not sent:
# it is *handed over* until the agent says it went out. In the reports table it stays 'queued'
# (never due by itself); the outbox row carries when and how it was handed over.
HANDED_OVER = "handed_over"
# next_attempt_at of a report that waits for nothing (sent, needs attention): after every real
# time, so that finding the next due report reads only the due ones from the index.
NOT_SCHEDULED = "9999-12-31T23:59:59.999999+00:00"
WAITING_STATES = ("queued", "sending")

# What the agent can do about a report that needs attention, by error.
FIX_SETTINGS = "settings"  # wrong password, certificate, address, endpoint
FIX_SHRINK = "shrink"  # too large: downscale, trim, or export
FIX_CREDENTIALS = "credentials"  # no password/token known (no keyring): enter it
FIX_EDIT = "edit"  # the report itself is the problem (an evidence file is gone)
FIX_RETRY = "retry"
_FIXES = {
    "sending.too_large": FIX_SHRINK, "sending.smtp.too_large_server": FIX_SHRINK,
    "sending.http.too_large_server": FIX_SHRINK,
    "sending.credentials_missing": FIX_CREDENTIALS,
    "bundle.evidence_missing": FIX_EDIT, "bundle.evidence_changed": FIX_EDIT,
    "bundle.document_not_confirmed": FIX_EDIT,
    # A request the server refused as it is (400, 422 …): only other settings (profile, queue,
    # fields) can help, retrying sends the same request again.
    "sending.http.rejected": FIX_SETTINGS, "sending.smtp.refused": FIX_RETRY,
    # Some files did not reach the ticket: retrying looks the ticket up and uploads them again.
    "sending.helpdesk.files_missing": FIX_RETRY, "sending.helpdesk.no_ticket_id": FIX_RETRY,
    "sending.helpdesk.no_upload_token": FIX_RETRY,
    "sending.bundle_unreadable": FIX_RETRY,
}
_SETTINGS_PREFIXES = ("sending.smtp.auth", "sending.smtp.bad_", "sending.smtp.no_", "sending.smtp.not_",
                      "sending.smtp.security", "sending.smtp.recipient", "sending.smtp.sender",
                      "sending.http.auth", "sending.http.not_", "sending.http.wrong", "sending.http.redir",
                      "sending.tls.", "sending.url.", "sending.proxy", "sending.mail_client.",
                      "sending.transport_unknown", "bundle.export.", "sending.helpdesk.",
                      "sending.verify.")

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS outbox (
        report_id TEXT PRIMARY KEY,
        queued_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        next_attempt_at TEXT NOT NULL,
        last_attempt_at TEXT NOT NULL DEFAULT '',
        lease_owner TEXT NOT NULL DEFAULT '',
        lease_expires_at TEXT NOT NULL DEFAULT '',
        error_key TEXT NOT NULL DEFAULT '',
        error_params TEXT NOT NULL DEFAULT '{}',
        error_reason TEXT NOT NULL DEFAULT '',
        error_permanent INTEGER NOT NULL DEFAULT 0,
        bundle_sha256 TEXT NOT NULL DEFAULT '',
        bundle_revision INTEGER NOT NULL DEFAULT 0,
        handed_over_at TEXT NOT NULL DEFAULT '',
        handover TEXT NOT NULL DEFAULT '',
        reminded_at TEXT NOT NULL DEFAULT '',
        ambiguous INTEGER NOT NULL DEFAULT 0,
        tickets TEXT NOT NULL DEFAULT '[]'
    )""",
    "CREATE INDEX IF NOT EXISTS outbox_by_next_attempt ON outbox (next_attempt_at)",
    "CREATE INDEX IF NOT EXISTS outbox_by_lease ON outbox (lease_owner)",
    """CREATE TABLE IF NOT EXISTS receipts (
        report_id TEXT PRIMARY KEY,
        summary TEXT NOT NULL DEFAULT '',
        transport TEXT NOT NULL,
        destination TEXT NOT NULL,
        sent_at TEXT NOT NULL,
        reference TEXT NOT NULL DEFAULT '',
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 1,
        local_data_deleted_at TEXT NOT NULL DEFAULT '',
        files TEXT NOT NULL DEFAULT '[]',
        tickets TEXT NOT NULL DEFAULT '[]',
        unchecked TEXT NOT NULL DEFAULT ''
    )""",
)
# Columns added after the first release: (table, column, declaration) for ALTER TABLE.
_ADDED_COLUMNS = (
    ("outbox", "handed_over_at", "TEXT NOT NULL DEFAULT ''"),
    ("outbox", "handover", "TEXT NOT NULL DEFAULT ''"),
    ("outbox", "reminded_at", "TEXT NOT NULL DEFAULT ''"),
    ("outbox", "ambiguous", "INTEGER NOT NULL DEFAULT 0"),
    ("outbox", "tickets", "TEXT NOT NULL DEFAULT '[]'"),
    ("receipts", "files", "TEXT NOT NULL DEFAULT '[]'"),
    ("receipts", "tickets", "TEXT NOT NULL DEFAULT '[]'"),
    ("receipts", "unchecked", "TEXT NOT NULL DEFAULT ''"),
)


# --- errors and items ---------------------------------------------------------------------------

class OutboxError(UserFacingError):
    """An outbox operation that did not happen; ``message()`` says what, why and what to do."""

    def __str__(self) -> str:
        return self.key


@dataclass(frozen=True)
class StoredError:
    key: str
    params: dict[str, Any]
    reason: str
    permanent: bool

    def message(self, language: str | None = None) -> str:
        if not self.key:
            return ""
        from capture_app.core.sending.transports.base import render_message

        return render_message(self.key, self.reason, self.params, language)

    @property
    def fix(self) -> str:
        if not self.permanent:
            return FIX_RETRY
        return fix_for(self.key)


def fix_for(key: str) -> str:
    if key in _FIXES:
        return _FIXES[key]
    if key.startswith(_SETTINGS_PREFIXES):
        return FIX_SETTINGS
    return FIX_RETRY


@dataclass(frozen=True)
class OutboxItem:
    """One line of the outbox window."""

    report_id: str
    summary: str
    state: str
    attempts: int
    queued_at: str
    next_attempt_at: str  # '' unless queued
    last_attempt_at: str
    error: StoredError | None
    receipt: Receipt | None
    local_data_deleted: bool = False
    handed_over_at: str = ""  # when the mail program was opened (or the bundle exported)
    handover: Receipt | None = None  # how and where to it was handed over
    ambiguous: bool = False  # the last attempt ended without knowing whether it arrived
    tickets: tuple[str, ...] = ()  # every ticket number a server returned for this report
    reminded: bool = False  # the agent was reminded of this hand-over already


@dataclass
class Claim:
    """A report this process is now sending (the lease is ours until it expires)."""

    report_id: str
    owner: str
    attempts: int
    revision: int
    report: Report
    bundle_sha256: str
    bundle_revision: int
    lease_expires_at: datetime = field(default_factory=utc_now)
    ambiguous: bool = False  # an earlier attempt may have arrived: look before sending again
    tickets: tuple[str, ...] = ()  # ticket numbers returned by earlier attempts


@dataclass(frozen=True)
class Outcome:
    """What became of one attempt."""

    report_id: str
    state: str  # sent | handed_over | queued | needs_attention | lost (another process took over)
    receipt: Receipt | None = None
    error: TransportError | None = None
    next_attempt_at: datetime | None = None


# --- time and ownership ---------------------------------------------------------------------------

def column_time(moment: datetime) -> str:
    """UTC with microseconds, so that the text order is the time order."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def parse_column_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def backoff_delay(attempts: int, retry_after: float | None, rng: random.Random) -> float:
    """Seconds until the next try: exponential with jitter, never before ``Retry-After``.

    Equal jitter (half fixed, half random) spreads the retries of many agents whose network came
    back at the same moment without ever retrying at once.
    """
    exponent = min(max(attempts, 1) - 1, 20)
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * (2 ** exponent))
    delay = ceiling / 2 + rng.uniform(0, ceiling / 2)
    if retry_after is not None and retry_after > 0:
        delay = max(delay, min(float(retry_after), MAX_RETRY_AFTER_SECONDS))
    return cast("float", delay)


def new_owner() -> str:
    return f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:12]}"


def owner_is_gone(owner: str) -> bool:
    """True when ``owner`` was a process on this machine that no longer runs."""
    host, _, rest = owner.partition("/")
    pid_text = rest.partition("/")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False  # another machine sharing the folder: wait for the lease to expire
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    if os.name == "nt":
        return not _windows_process_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    except OSError:
        return False
    return _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False


def _windows_process_alive(pid: int) -> bool:
    # os.kill(pid, 0) would terminate the process on Windows.
    if sys.platform != "win32":
        return False
    try:
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    except Exception:  # noqa: BLE001
        return True


# --- background WAL checkpoints ------------------------------------------------------------------

class WalCheckpointer:
    """Runs passive WAL checkpoints of one database on its own thread and connection.

    A passive checkpoint never waits for readers or writers, so commits go on meanwhile; once it
    has copied everything, the next commit starts the WAL file from its beginning again.
    """

    def __init__(self, db: Path) -> None:
        self.db = db
        self.completed = 0  # checkpoints run so far
        self._wake = threading.Condition()
        self._requested = False
        self._running = False
        self._closing = False
        self._thread: threading.Thread | None = None

    def request(self) -> None:
        with self._wake:
            if self._closing:
                return
            self._requested = True
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="outbox-checkpoint",
                                                daemon=True)
                self._thread.start()
            self._wake.notify()

    def wait_idle(self, timeout: float) -> bool:
        """True once no checkpoint is requested or running (tests wait with it)."""
        with self._wake:
            return self._wake.wait_for(lambda: not self._requested and not self._running,
                                       timeout=timeout)

    def _run(self) -> None:
        from capture_app.core.report.drafts import connect_database

        try:
            conn = connect_database(self.db)
        except sqlite3.Error as exc:
            log.warning("no background checkpoints for %s: %s", self.db.name, exc)
            return
        try:
            while True:
                with self._wake:
                    self._wake.wait_for(lambda: self._requested or self._closing)
                    if self._closing and not self._requested:
                        return
                    self._requested, self._running = False, True
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as exc:  # busy or full disk: the next request tries again
                    log.info("background checkpoint of %s failed: %s", self.db.name, exc)
                with self._wake:
                    self._running = False
                    self.completed += 1
                    self._wake.notify_all()
        finally:
            conn.close()

    def close(self, timeout: float = 2.0) -> None:
        with self._wake:
            self._closing = True
            self._requested = False
            self._wake.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)


# --- the outbox ---------------------------------------------------------------------------------

class Outbox:
    """The outbox of one draft store. Safe to use from several threads and processes."""

    def __init__(self, store: Any, *, clock: Callable[[], datetime] = utc_now,
                 rng: random.Random | None = None, owner: str | None = None) -> None:
        self.paths = store.paths
        self.store = store
        self._clock = clock
        self._rng = rng or random.Random()
        self.owner = owner or new_owner()
        self._lock = threading.RLock()
        self._durable = True
        self._commits = 0
        self._checkpointer = WalCheckpointer(self.paths.drafts_db)
        self._conn: sqlite3.Connection | None = self._open(self.paths.drafts_db)

    # -- lifecycle

    def _open(self, db: Path) -> sqlite3.Connection:
        try:
            from capture_app.core.report.drafts import connect_database

            conn = connect_database(db)
            conn.execute("PRAGMA synchronous = FULL")  # per connection: a queued report must survive
            conn.execute(f"PRAGMA wal_autocheckpoint = {BACKSTOP_CHECKPOINT_PAGES}")
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _SCHEMA:
                    conn.execute(statement)
                for table, column, declaration in _ADDED_COLUMNS:
                    present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
                    if column not in present:
                        conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise
        except sqlite3.Error as exc:
            raise OutboxError("sending.outbox.unavailable", path=str(db), reason=str(exc)) from exc
        return conn

    def close(self) -> None:
        self._checkpointer.close()
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def now(self) -> datetime:
        moment = self._clock()
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)

    @property
    def bundles_dir(self) -> Path:
        return cast("Path", self.paths.data_dir / "outbox")

    def bundle_path(self, report_id: str) -> Path:
        from capture_app.core.report.drafts import check_id

        return self.bundles_dir / f"{check_id(report_id)}.zip"

    @contextmanager
    def _write(self, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One transaction. ``durable=False`` skips the fsync at commit: the change survives a
        killed process but may be rolled back by a power cut — only for steps that are simply
        repeated then (a claim, a lease renewal, the receipt of an idempotent upload)."""
        with self._lock:
            conn = self._conn
            if conn is None:
                raise OutboxError("sending.outbox.closed")
            try:
                if durable != self._durable:
                    conn.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
                    self._durable = durable
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    conn.execute("COMMIT")
                except BaseException:
                    _rollback(conn)
                    raise
            except sqlite3.Error as exc:
                raise _write_error(exc, self.paths.data_dir) from exc
            self._commits += 1
            if self._commits % CHECKPOINT_EVERY_COMMITS == 0:
                self._checkpointer.request()
                self._backstop_checkpoint(conn)

    def _backstop_checkpoint(self, conn: sqlite3.Connection) -> None:
        """SQLite's own backstop (wal_autocheckpoint) gives up whenever the thread holds the
        checkpoint lock, which under steady commits is often: the WAL then grows without bound.
        Past the backstop size this connection waits for the thread (briefly) and checkpoints
        itself; the next commit then finds everything copied and starts the WAL over."""
        try:
            size = os.stat(f"{self.paths.drafts_db}-wal").st_size
        except OSError:
            return
        if size < BACKSTOP_CHECKPOINT_PAGES * 4096:
            return
        self._checkpointer.wait_idle(timeout=2.0)
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as exc:  # busy or full disk: the next backstop tries again
            log.info("backstop checkpoint of %s failed: %s", self.paths.drafts_db.name, exc)

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            if self._conn is None:
                raise OutboxError("sending.outbox.closed")
            return self._conn.execute(sql, params).fetchall()

    # -- transitions

    def enqueue(self, report_id: str, *, expected_revision: int | None = None,
                bundle_sha256: str = "", bundle_revision: int = 0) -> None:
        """``draft``/``needs_attention`` → ``queued``: the report will be sent as it is now."""
        now = column_time(self.now())
        with self._write() as conn:
            row = conn.execute("SELECT state, revision, summary FROM reports WHERE id = ?",
                               (report_id,)).fetchone()
            if row is None:
                raise OutboxError("sending.outbox.not_found")
            state, revision, summary = row
            if state not in ("draft", "needs_attention"):
                raise OutboxError("sending.outbox.already_queued", summary=_label(summary),
                                  state=i18n.tr(f"drafts.state_{state}"))
            if expected_revision is not None and revision != expected_revision:
                raise OutboxError("sending.outbox.changed", summary=_label(summary))
            conn.execute("UPDATE reports SET state = 'queued' WHERE id = ?", (report_id,))
            conn.execute(
                "INSERT OR REPLACE INTO outbox (report_id, queued_at, attempts, next_attempt_at,"
                " bundle_sha256, bundle_revision) VALUES (?, ?, 0, ?, ?, ?)",
                (report_id, now, now, bundle_sha256, bundle_revision if bundle_sha256 else 0))

    def claim(self, report_id: str | None = None) -> Claim | None:
        """Take the next due report (or ``report_id``, if it may be taken) for sending."""
        now = self.now()
        stamp = column_time(now)
        expires = now + timedelta(seconds=LEASE_SECONDS)
        # Not durable: after a power cut the report is simply queued again (and a repeated
        # attempt is harmless: same Idempotency-Key, same Message-ID).
        with self._write(durable=False) as conn:
            chosen = self._choose(self._candidates(conn, report_id, stamp), report_id, stamp)
            if chosen is None:
                return None
            conn.execute("UPDATE reports SET state = 'sending' WHERE id = ?", (chosen,))
            conn.execute("UPDATE outbox SET lease_owner = ?, lease_expires_at = ?,"
                         " attempts = attempts + 1, last_attempt_at = ?, next_attempt_at = ?,"
                         " handed_over_at = '', handover = '', reminded_at = ''"
                         " WHERE report_id = ?",
                         (self.owner, column_time(expires), stamp, NOT_SCHEDULED, chosen))
            row = conn.execute(
                "SELECT r.report_json, r.revision, o.attempts, o.bundle_sha256, o.bundle_revision,"
                " o.ambiguous, o.tickets"
                " FROM reports r JOIN outbox o ON o.report_id = r.id WHERE r.id = ?",
                (chosen,)).fetchone()
        data, revision, attempts, sha, bundle_revision, ambiguous, tickets = row
        try:
            report = Report.from_dict(json.loads(data))
        except (ValueError, TypeError, ReportFormatError, RecursionError):
            self.fail(Claim(chosen, self.owner, attempts, revision, Report(id=chosen), sha,
                            bundle_revision),
                      PermanentTransportError("sending.outbox.unreadable"))
            return None
        return Claim(chosen, self.owner, attempts, revision, report, sha, bundle_revision, expires,
                     bool(ambiguous), _tickets(tickets))

    def _candidates(self, conn: sqlite3.Connection, report_id: str | None,
                    stamp: str) -> list[tuple[Any, ...]]:
        """(report id, state, lease owner, lease expiry, next attempt) of reports to consider."""
        if report_id:
            return conn.execute(
                "SELECT o.report_id, r.state, o.lease_owner, o.lease_expires_at,"
                " o.next_attempt_at FROM outbox o JOIN reports r ON r.id = o.report_id"
                " WHERE r.state IN ('queued', 'sending') AND o.report_id = ?",
                (report_id,)).fetchall()
        # Two index range scans on the outbox (CROSS JOIN keeps SQLite from starting
        # at all queued reports): due reports in time order, and foreign leases.
        rows = conn.execute(
            "SELECT o.report_id, r.state, o.lease_owner, o.lease_expires_at,"
            " o.next_attempt_at FROM outbox o CROSS JOIN reports r ON r.id = o.report_id"
            " WHERE o.next_attempt_at <= ? AND r.state = 'queued'"
            " ORDER BY o.next_attempt_at LIMIT 1", (stamp,)).fetchall()
        # A due queued report is taken first anyway; only without one are the leases
        # of other (perhaps dead) processes looked at.
        return rows or conn.execute(
            "SELECT o.report_id, r.state, o.lease_owner, o.lease_expires_at,"
            " o.next_attempt_at FROM outbox o CROSS JOIN reports r ON r.id = o.report_id"
            " WHERE o.lease_owner > '' AND o.lease_owner != ? AND r.state = 'sending'"
            " LIMIT 50", (self.owner,)).fetchall()

    def _choose(self, rows: list[tuple[Any, ...]], report_id: str | None, stamp: str) -> str | None:
        """The first row that may be sent now: due and queued, or leased by a gone process."""
        for rid, state, owner, lease_expires, next_attempt in rows:
            if state == "queued" and (report_id or next_attempt <= stamp):
                return str(rid)
            if state == "sending" and owner != self.owner and (
                    lease_expires <= stamp or not owner or owner_is_gone(owner)):
                return str(rid)
        return None

    def renew(self, claim: Claim) -> bool:
        """Extend the lease while sending; False if another process has taken the report."""
        expires = self.now() + timedelta(seconds=LEASE_SECONDS)
        with self._write(durable=False) as conn:
            updated = conn.execute(
                "UPDATE outbox SET lease_expires_at = ? WHERE report_id = ? AND lease_owner = ?"
                " AND EXISTS (SELECT 1 FROM reports WHERE id = ? AND state = 'sending')",
                (column_time(expires), claim.report_id, claim.owner, claim.report_id)).rowcount
        if updated:
            claim.lease_expires_at = expires
        return bool(updated)

    def record_bundle(self, claim: Claim, sha256: str) -> None:
        with self._write(durable=False) as conn:
            conn.execute("UPDATE outbox SET bundle_sha256 = ?, bundle_revision = ?"
                         " WHERE report_id = ? AND lease_owner = ?",
                         (sha256, claim.revision, claim.report_id, claim.owner))
        claim.bundle_sha256, claim.bundle_revision = sha256, claim.revision

    def complete(self, claim: Claim, receipt: Receipt, *, durable: bool = True) -> Outcome:
        """``sending`` → ``sent`` with its receipt.

        ``durable=False`` is for uploads the server deduplicates (HTTP with Idempotency-Key): if a
        power cut takes the receipt back, the report is sent again and the server answers with
        the same ticket. An e-mail cannot be taken back: its receipt is always synced.
        """
        with self._write(durable=durable) as conn:
            # Sent is sent, even if our lease ran out meanwhile: the server has the report.
            if not conn.execute("UPDATE reports SET state = 'sent' WHERE id = ? AND state != 'sent'",
                                (claim.report_id,)).rowcount:
                if conn.execute("SELECT 1 FROM reports WHERE id = ?",
                                (claim.report_id,)).fetchone() is None:
                    return Outcome(claim.report_id, "lost")
                return Outcome(claim.report_id, "sent", self._receipt(conn, claim.report_id))
            conn.execute("UPDATE outbox SET lease_owner = '', lease_expires_at = '', error_key = '',"
                         " error_params = '{}', error_reason = '', error_permanent = 0, ambiguous = 0,"
                         " next_attempt_at = ? WHERE report_id = ?", (NOT_SCHEDULED, claim.report_id))
            receipt = self._with_known_tickets(conn, claim.report_id, receipt)
            self._insert_receipt(conn, claim.report_id, receipt, claim.attempts)
        return Outcome(claim.report_id, "sent", receipt)

    @staticmethod
    def _with_known_tickets(conn: Any, report_id: str, receipt: Receipt) -> Receipt:
        row = conn.execute("SELECT tickets FROM outbox WHERE report_id = ?", (report_id,)).fetchone()
        tickets = _merge_tickets(_tickets(row[0]) if row else (), receipt.tickets,
                                 (receipt.reference,) if receipt.reference and
                                 receipt.transport == "http" else ())
        return replace(receipt, tickets=tickets)

    @staticmethod
    def _insert_receipt(conn: Any, report_id: str, receipt: Receipt, attempts: int) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO receipts (report_id, summary, transport, destination,"
            " sent_at, reference, sha256, size, attempts, files, tickets, unchecked)"
            " SELECT id, summary, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM reports WHERE id = ?",
            (receipt.transport, receipt.destination, receipt.sent_at, receipt.reference,
             receipt.sha256, int(receipt.size), attempts,
             json.dumps([list(f) for f in receipt.files], ensure_ascii=False),
             json.dumps(list(receipt.tickets), ensure_ascii=False), receipt.unchecked, report_id))

    def hand_over(self, claim: Claim, receipt: Receipt) -> Outcome:
        """``sending`` → *handed over*: the mail program has the report (or it was exported);
        it is sent only when the agent says so (:meth:`mark_sent`)."""
        with self._write() as conn:
            row = conn.execute("SELECT r.state, o.lease_owner FROM reports r JOIN outbox o"
                               " ON o.report_id = r.id WHERE r.id = ?", (claim.report_id,)).fetchone()
            if row is None or row[0] != "sending" or row[1] != claim.owner:
                return Outcome(claim.report_id, "lost")
            conn.execute("UPDATE reports SET state = 'queued' WHERE id = ?", (claim.report_id,))
            conn.execute(
                "UPDATE outbox SET lease_owner = '', lease_expires_at = '', next_attempt_at = ?,"
                " error_key = '', error_params = '{}', error_reason = '', error_permanent = 0,"
                " handed_over_at = ?, handover = ?, reminded_at = '' WHERE report_id = ?",
                (NOT_SCHEDULED, column_time(self.now()),
                 json.dumps(receipt.to_dict(), ensure_ascii=False), claim.report_id))
        return Outcome(claim.report_id, HANDED_OVER, receipt)

    def mark_sent(self, report_id: str) -> Receipt:
        """The agent says the handed-over report went out: *sent*, with a receipt of the hand-over."""
        with self._write() as conn:
            row = conn.execute(
                "SELECT r.state, o.handed_over_at, o.handover, o.attempts FROM reports r"
                " JOIN outbox o ON o.report_id = r.id WHERE r.id = ?", (report_id,)).fetchone()
            if row is None:
                raise OutboxError("sending.outbox.not_found")
            state, handed_over_at, handover, attempts = row
            if state != "queued" or not handed_over_at:
                raise OutboxError("sending.outbox.not_handed_over",
                                  state=i18n.tr(f"drafts.state_{state}"))
            try:
                receipt = Receipt.from_dict(json.loads(handover))
            except (ValueError, TypeError, KeyError):
                raise OutboxError("sending.outbox.not_handed_over",
                                  state=i18n.tr("drafts.state_queued")) from None
            receipt = replace(receipt, sent_at=column_time(self.now()))
            conn.execute("UPDATE reports SET state = 'sent' WHERE id = ?", (report_id,))
            conn.execute("UPDATE outbox SET next_attempt_at = ?, handed_over_at = '', handover = '',"
                         " reminded_at = '' WHERE report_id = ?", (NOT_SCHEDULED, report_id))
            self._insert_receipt(conn, report_id, receipt, attempts)
        return receipt

    def handover_reminders(self, hours: Any) -> list[OutboxItem]:
        """Handed-over reports still not marked sent once the next working day has begun
        (``hours``: core.support_hours.SupportHours); each is named once (see :meth:`reminded`)."""
        now = self.now()
        due = []
        for item in self.items():
            if item.state != HANDED_OVER or item.reminded:
                continue
            since = parse_column_time(item.handed_over_at)
            if since is not None and (start := next_working_day_start(since, hours)) is not None \
                    and start <= now:
                due.append(item)
        return due

    def reminded(self, report_ids: Any) -> None:
        stamp = column_time(self.now())
        with self._write(durable=False) as conn:
            for report_id in report_ids:
                conn.execute("UPDATE outbox SET reminded_at = ? WHERE report_id = ?"
                             " AND handed_over_at != ''", (stamp, report_id))

    def fail(self, claim: Claim, error: TransportError) -> Outcome:
        """``sending`` → ``queued`` (temporary, with backoff) or ``needs_attention``."""
        now = self.now()
        permanent = not isinstance(error, TemporaryTransportError)
        params = {k: _jsonable(v) for k, v in error.params.items()}
        next_at = None
        with self._write() as conn:
            row = conn.execute("SELECT r.state, o.lease_owner FROM reports r JOIN outbox o"
                               " ON o.report_id = r.id WHERE r.id = ?", (claim.report_id,)).fetchone()
            if row is None or row[0] != "sending" or row[1] != claim.owner:
                return Outcome(claim.report_id, "lost", error=error)
            if permanent:
                state, next_stamp = "needs_attention", NOT_SCHEDULED
            else:
                delay = backoff_delay(claim.attempts, getattr(error, "retry_after", None), self._rng)
                next_at = now + timedelta(seconds=delay)
                state, next_stamp = "queued", column_time(next_at)
            conn.execute("UPDATE reports SET state = ? WHERE id = ?", (state, claim.report_id))
            known = conn.execute("SELECT tickets FROM outbox WHERE report_id = ?",
                                 (claim.report_id,)).fetchone()
            tickets = _merge_tickets(_tickets(known[0]) if known else (), error.tickets)
            conn.execute(
                "UPDATE outbox SET lease_owner = '', lease_expires_at = '', next_attempt_at = ?,"
                " error_key = ?, error_params = ?, error_reason = ?, error_permanent = ?,"
                " ambiguous = MAX(ambiguous, ?), tickets = ? WHERE report_id = ?",
                (next_stamp, error.key, json.dumps(params, ensure_ascii=False),
                 error.reason or "", int(permanent), int(bool(error.ambiguous)),
                 json.dumps(list(tickets), ensure_ascii=False), claim.report_id))
        return Outcome(claim.report_id, state, error=error, next_attempt_at=next_at)

    def release(self, claim: Claim) -> None:
        """Give a claimed report back untried (the app is closing): queued, due now."""
        with self._write() as conn:
            conn.execute("UPDATE reports SET state = 'queued' WHERE id = ? AND state = 'sending'"
                         " AND EXISTS (SELECT 1 FROM outbox WHERE report_id = ? AND lease_owner = ?)",
                         (claim.report_id, claim.report_id, claim.owner))
            conn.execute("UPDATE outbox SET lease_owner = '', lease_expires_at = '',"
                         " attempts = MAX(attempts - 1, 0), next_attempt_at = ?"
                         " WHERE report_id = ? AND lease_owner = ?",
                         (column_time(self.now()), claim.report_id, claim.owner))

    def retry(self, report_id: str) -> None:
        """``needs_attention`` (or a waiting ``queued``) → ``queued``, due now."""
        now = column_time(self.now())
        with self._write() as conn:
            row = conn.execute("SELECT state FROM reports WHERE id = ?", (report_id,)).fetchone()
            if row is None:
                raise OutboxError("sending.outbox.not_found")
            if row[0] not in ("needs_attention", "queued"):
                raise OutboxError("sending.outbox.cannot_retry", state=i18n.tr(f"drafts.state_{row[0]}"))
            conn.execute("UPDATE reports SET state = 'queued' WHERE id = ?", (report_id,))
            conn.execute("UPDATE outbox SET next_attempt_at = ? WHERE report_id = ?", (now, report_id))

    def recover(self) -> list[str]:
        """Queue again every report whose sender died (start-up); return their ids."""
        recovered = []
        with self._write() as conn:
            rows = conn.execute("SELECT o.report_id, o.lease_owner, o.lease_expires_at FROM outbox o"
                                " JOIN reports r ON r.id = o.report_id WHERE r.state = 'sending'"
                                ).fetchall()
            stamp = column_time(self.now())
            for report_id, owner, expires in rows:
                if owner != self.owner and (not owner or expires <= stamp or owner_is_gone(owner)):
                    conn.execute("UPDATE reports SET state = 'queued' WHERE id = ?", (report_id,))
                    conn.execute("UPDATE outbox SET lease_owner = '', lease_expires_at = '',"
                                 " next_attempt_at = ? WHERE report_id = ?", (stamp, report_id))
                    recovered.append(report_id)
        return recovered

    def to_draft(self, report_id: str) -> None:
        """Take a waiting or failed report back into the drafts, to edit it."""
        with self._write() as conn:
            row = conn.execute("SELECT state FROM reports WHERE id = ?", (report_id,)).fetchone()
            if row is None:
                raise OutboxError("sending.outbox.not_found")
            if row[0] not in ("queued", "needs_attention"):
                raise OutboxError("sending.outbox.cannot_edit", state=i18n.tr(f"drafts.state_{row[0]}"))
            conn.execute("UPDATE reports SET state = 'draft' WHERE id = ?", (report_id,))
            conn.execute("DELETE FROM outbox WHERE report_id = ?", (report_id,))
        _unlink(self.bundle_path(report_id))

    def delete(self, report_id: str) -> None:
        """Remove a report that is not being sent, with its files; a receipt stays."""
        with self._write() as conn:
            row = conn.execute("SELECT state FROM reports WHERE id = ?", (report_id,)).fetchone()
            if row is not None and row[0] == "sending":
                raise OutboxError("sending.outbox.delete_while_sending")
            conn.execute("DELETE FROM reports WHERE id = ?", (report_id,))
            conn.execute("DELETE FROM outbox WHERE report_id = ?", (report_id,))
            conn.execute("UPDATE receipts SET local_data_deleted_at = ? WHERE report_id = ?"
                         " AND local_data_deleted_at = ''", (column_time(self.now()), report_id))
        self._remove_files(report_id)

    def forget_receipt(self, report_id: str) -> None:
        """Remove the receipt of a report whose local data is already gone."""
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM reports WHERE id = ?", (report_id,)).fetchone():
                raise OutboxError("sending.outbox.receipt_has_data")
            conn.execute("DELETE FROM receipts WHERE report_id = ?", (report_id,))

    def purge_sent(self, retention_days: float) -> list[str]:
        """Delete the local data of reports sent more than ``retention_days`` ago (receipt stays)."""
        cutoff = self.now() - timedelta(days=retention_days)
        rows = self._read("SELECT c.report_id, c.sent_at FROM receipts c JOIN reports r"
                          " ON r.id = c.report_id WHERE r.state = 'sent'")
        purged = []
        for report_id, sent_at in rows:
            moment = parse_column_time(sent_at)
            if moment is not None and moment <= cutoff:
                self.delete(report_id)
                purged.append(report_id)
        return purged

    def _remove_files(self, report_id: str) -> None:
        _unlink(self.bundle_path(report_id))
        shutil.rmtree(self.store.attachment_dir(report_id), ignore_errors=True)

    # -- reading

    def _receipt(self, conn: Any, report_id: str) -> Receipt | None:
        row = conn.execute("SELECT transport, destination, sent_at, reference, sha256, size,"
                           " files, tickets, unchecked FROM receipts WHERE report_id = ?",
                           (report_id,)).fetchone()
        return _receipt_from_row(row) if row else None

    def receipt(self, report_id: str) -> Receipt | None:
        with self._lock:
            return self._receipt(self._conn, report_id)

    def state(self, report_id: str) -> str | None:
        rows = self._read("SELECT state FROM reports WHERE id = ?", (report_id,))
        if rows:
            return cast("str | None", rows[0][0])
        if self._read("SELECT 1 FROM receipts WHERE report_id = ?", (report_id,)):
            return "sent"
        return None

    def items(self) -> list[OutboxItem]:
        """Everything in the outbox, newest first: waiting, failed, sent, and old receipts."""
        rows = self._read(
            "SELECT r.id, r.summary, r.state, o.attempts, o.queued_at, o.next_attempt_at,"
            " o.last_attempt_at, o.error_key, o.error_params, o.error_reason, o.error_permanent,"
            " o.handed_over_at, o.handover, o.ambiguous, o.tickets, o.reminded_at"
            " FROM reports r JOIN outbox o ON o.report_id = r.id"
            " WHERE r.state IN ('queued', 'sending', 'sent', 'needs_attention')")
        receipts = {row[0]: row for row in self._read(
            "SELECT report_id, summary, transport, destination, sent_at, reference, sha256, size,"
            " files, tickets, unchecked, attempts, local_data_deleted_at FROM receipts")}
        items = []
        for (rid, summary, state, attempts, queued_at, next_at, last_at, key, params, reason,
             permanent, handed_over_at, handover, ambiguous, tickets, reminded_at) in rows:
            receipt_row = receipts.pop(rid, None)
            receipt = _receipt_from_row(receipt_row[2:11]) if receipt_row else None
            handover_receipt = None
            if state == "queued" and handed_over_at:
                state = HANDED_OVER
                try:
                    handover_receipt = Receipt.from_dict(json.loads(handover))
                except (ValueError, TypeError, KeyError):
                    handover_receipt = None
            error = None
            if key and state != "sent":
                try:
                    loaded = json.loads(params or "{}")
                except ValueError:
                    loaded = {}
                error = StoredError(key, loaded if isinstance(loaded, dict) else {}, reason,
                                    bool(permanent))
            items.append(OutboxItem(
                rid, summary, state, attempts, queued_at, next_at if state == "queued" else "",
                last_at, error, receipt, handed_over_at=handed_over_at, handover=handover_receipt,
                ambiguous=bool(ambiguous) and state not in ("sent", HANDED_OVER),
                tickets=receipt.tickets if receipt else _tickets(tickets),
                reminded=bool(reminded_at)))
        for row in receipts.values():  # local data deleted: only the receipt is left
            kept = _receipt_from_row(row[2:11])
            items.append(OutboxItem(row[0], row[1], "sent", row[11], "", "", row[4], None,
                                    kept, local_data_deleted=bool(row[12]), tickets=kept.tickets))
        items.sort(key=lambda i: (i.receipt.sent_at if i.receipt else i.queued_at) or "", reverse=True)
        return items

    def counts(self) -> dict[str, int]:
        rows = self._read("SELECT CASE WHEN r.state = 'queued' AND o.handed_over_at != ''"
                          " THEN 'handed_over' ELSE r.state END AS s, COUNT(*)"
                          " FROM reports r JOIN outbox o ON o.report_id = r.id GROUP BY s")
        counts = {state: 0 for state in OUTBOX_STATES}
        counts.update({state: n for state, n in rows})
        return counts

    def queued_count(self) -> int:
        """Reports still on their way (queued or being sent)."""
        counts = self.counts()
        return counts["queued"] + counts["sending"]

    def next_due(self) -> datetime | None:
        """When the next queued report is due (or a foreign lease runs out)."""
        rows = self._read(
            "SELECT MIN(CASE WHEN r.state = 'queued' THEN o.next_attempt_at ELSE o.lease_expires_at END)"
            " FROM outbox o JOIN reports r ON r.id = o.report_id"
            " WHERE r.state = 'queued' OR (r.state = 'sending' AND o.lease_owner != ?)", (self.owner,))
        return parse_column_time(rows[0][0]) if rows and rows[0][0] else None


# --- helpers -----------------------------------------------------------------------------------

def _tickets(text: str) -> tuple[str, ...]:
    try:
        data = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(str(t) for t in data) if isinstance(data, list) else ()


def _merge_tickets(*groups: Any) -> tuple[str, ...]:
    merged: list[str] = []
    for group in groups:
        for ticket in group or ():
            if ticket and str(ticket) not in merged:
                merged.append(str(ticket))
    return tuple(merged)


def _receipt_from_row(row: Any) -> Receipt:
    transport, destination, sent_at, reference, sha256, size, files, tickets, unchecked = row
    try:
        loaded = json.loads(files or "[]")
        file_list = tuple(tuple(entry) for entry in loaded if isinstance(entry, list))
    except ValueError:
        file_list = ()
    return Receipt(transport, destination, sent_at, reference, sha256, size, file_list,
                   _tickets(tickets), unchecked=unchecked or "")


def next_working_day_start(since: datetime, hours: Any) -> datetime | None:
    """When support's first working day after the day of ``since`` opens (support's zone)."""
    day = since.astimezone(hours.timezone).date()
    for offset in range(1, 31):
        period = hours.period_on(day + timedelta(days=offset))
        if period is not None:
            return cast("datetime | None", period.opens)
    return None


def _jsonable(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def _label(summary: str) -> str:
    return (summary or "").strip() or i18n.tr("drafts.untitled")


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError:
        pass  # in use (Windows): retention removes it next time


def _rollback(conn: sqlite3.Connection) -> None:
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass


def _write_error(exc: sqlite3.Error, folder: Path) -> OutboxError:
    from capture_app.core.report.drafts import is_busy, is_disk_full

    if is_disk_full(exc):
        return OutboxError("sending.outbox.disk_full", folder=str(folder))
    if is_busy(exc):
        return OutboxError("sending.outbox.busy")
    return OutboxError("sending.outbox.write_failed", reason=str(exc))
