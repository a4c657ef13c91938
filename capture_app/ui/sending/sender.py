"""The background sender: sends queued reports while the app runs, and on request.

* On start-up it takes back reports whose sender died (``Outbox.recover``), deletes the local
  data of reports sent longer ago than the retention period, and sends what is due.
* It then sleeps until the next report is due (backoff, ``Retry-After``), and wakes at once when
  QNetworkInformation says the network is back, or when a report is queued.
* One attempt at a time runs in this app, on a thread pool of its own; the SQLite lease keeps a
  second app instance from sending the same report.
* Interactive transports (mail program, export) are never started from the background: the
  agent starts them with "Senden" (``send_now``).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal, Slot

from capture_app.core.platform.i18n import tr
from capture_app.ui.platform.roles import QT_INT_MAX

if TYPE_CHECKING:
    from PySide6.QtNetwork import QNetworkInformation

log = logging.getLogger(__name__)

MAX_SLEEP_MS = 5 * 60 * 1000  # look again at least this often (another instance may queue)
MIN_SLEEP_MS = 250


def scale_image(source: Path, target: Path, factor: float) -> str:
    """Downscale a screenshot and re-encode it into a new file (no metadata carried over).

    Runs in a worker thread: QImage is not a widget and may be used off the UI thread.
    """
    from PySide6.QtCore import Qt

    from capture_app.ui.evidence.images import image_reader

    reader = image_reader(source)
    jpeg = bytes(reader.format().data()) == b"jpeg"
    image = reader.read()
    if image.isNull():
        raise ValueError("image cannot be read")
    width = max(1, round(image.width() * factor))
    height = max(1, round(image.height() * factor))
    scaled = image.scaled(width, height, Qt.AspectRatioMode.IgnoreAspectRatio,
                          Qt.TransformationMode.SmoothTransformation)
    fmt, media_type = ("JPG", "image/jpeg") if jpeg else ("PNG", "image/png")
    if not scaled.save(str(target), fmt, 85 if jpeg else -1):  # type: ignore[call-overload]
        raise OSError("the scaled image could not be written")
    return media_type


class SendingService(QObject):
    """Owns the outbox of the running app and the one sender that works on it."""

    changed = Signal()  # the outbox changed (queued, sent, failed …)
    progress = Signal(str, int, int)  # report id, bytes done, bytes total
    finished = Signal(object)  # core.outbox.Outcome of an attempt
    # core.reminders.Reminder: reports handed to the mail program the day before and not yet
    # marked sent (once each, when support's next working day has begun).
    handover_reminder = Signal(object)
    # Emitted in worker threads, received only by the declared slots below, which re-emit on
    # the UI thread (see ui/platform/tasks.py for why nothing else receives a worker's signal).
    _worker_changed = Signal()
    _worker_progress = Signal(str, int, int)

    def __init__(self, config, store, *, secrets=None, clock: Callable[[], datetime] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        from capture_app.core.platform.secrets import shared_store
        from capture_app.core.sending.outbox import Outbox

        self.config = config
        self.store = store
        self.secrets = secrets if secrets is not None else shared_store()
        self.outbox = Outbox(store, clock=clock) if clock else Outbox(store)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)  # the background attempt, and one the agent started
        self._busy = False
        self._again = False
        self._started = False
        self._closed = False
        self._sending: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.wake)
        self._network: QNetworkInformation | None = None
        self._network_tried = False
        self._worker_changed.connect(self._relay_changed)
        self._worker_progress.connect(self._relay_progress)
        self.last_message: tuple[str, str] | None = None  # what the agent was last told

    # -- lifecycle

    def start(self) -> None:
        """Begin sending in the background (called once the first window is up)."""
        if self._started or self._closed:
            return
        self._started = True
        from capture_app.core.platform.secrets import install_log_redaction

        install_log_redaction(logging.getLogger("capture_app"), logging.getLogger())
        # The network is watched once something waits (see _schedule): an empty outbox needs no
        # network backend (GLib's monitor and its thread) in an app idling in the tray all day.
        self._run(self._startup_work, self._startup_done)

    def _startup_work(self):
        recovered = self.outbox.recover()
        purged = self.outbox.purge_sent(self.config.get("sending.retention_days"))
        return recovered, purged

    def _startup_done(self, result) -> None:
        recovered, purged = result
        if recovered or purged:
            log.info("outbox at start: %d taken back, %d sent reports' data deleted",
                     len(recovered), len(purged))
        self.changed.emit()
        self.check_handovers()
        self.wake()

    def needs_agent(self) -> bool:
        """The configured way of sending needs the agent at the screen (the mail program)."""
        try:
            return bool(self.transport().interactive)
        except Exception:  # noqa: BLE001 - an unusable setting: the outbox says so when sending
            return False

    def check_handovers(self) -> None:
        """Remind the agent of hand-overs still open on support's next working day."""
        if self._closed:
            return
        config, outbox = self.config, self.outbox

        def work():
            from capture_app.core.hours.support_hours import load_support_hours

            hours, _problems = load_support_hours(config)
            due = outbox.handover_reminders(hours)
            if due:
                outbox.reminded([item.report_id for item in due])
            return due

        self._run(work, self._remind)

    def _remind(self, due) -> None:
        if not due or self._closed:
            return
        from capture_app.core.hours.reminders import OPEN_OUTBOX, Reminder

        if len(due) == 1:
            body = tr("sending.ui.reminder_one", summary=due[0].summary or tr("ui.main.untitled"),
                      when=_local_time(due[0].handed_over_at))
        else:
            body = tr("sending.ui.reminder_many", n=len(due))
        occasion = max(item.handed_over_at for item in due)
        self.handover_reminder.emit(Reminder("handed_over", occasion, tr("sending.ui.reminder_title"),
                                             body, opens=OPEN_OUTBOX))

    def shutdown(self, wait_ms: int = 2000) -> None:
        self._closed = True
        self._timer.stop()
        # An upload may run for minutes: wait briefly, then leave it; the lease is taken back
        # at the next start (the process is gone).
        if self._pool.waitForDone(wait_ms):
            self.outbox.close()

    def _watch_network(self) -> None:
        if self._network_tried:
            return
        self._network_tried = True
        try:
            from PySide6.QtNetwork import QNetworkInformation

            if not QNetworkInformation.instance():
                QNetworkInformation.loadBackendByFeatures(QNetworkInformation.Feature.Reachability)
            info = QNetworkInformation.instance()
        except Exception:  # noqa: BLE001 - no backend on this system: the timer still runs
            info = None
        if info is not None:
            info.reachabilityChanged.connect(self.network_changed)
            self._network = info

    def network_changed(self, reachability) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        if reachability == QNetworkInformation.Reachability.Online:
            log.info("network is back: sending what is waiting")
            self.retry_waiting()

    # -- what the rest of the app calls

    def queued_count(self) -> int:
        try:
            return self.outbox.queued_count()
        except Exception:  # noqa: BLE001 - a closed or busy outbox: show nothing rather than fail
            return 0

    def is_sending(self, report_id: str) -> bool:
        return report_id in self._sending

    def transport(self, kind: str | None = None):
        from capture_app.core.sending.service import transport_from_config

        return transport_from_config(self.config, self.secrets, kind=kind)

    def missing_secrets(self):
        """Secrets the current settings need but neither keyring nor memory has."""
        from capture_app.core.sending.service import secret_needs

        return [need for need in secret_needs(self.config) if not self.secrets.has(need.account)]

    def retry_waiting(self) -> None:
        """Make every queued report due now (network back, agent's "retry all") and send."""
        def work() -> None:
            for item in self.outbox.items():
                if item.state == "queued":
                    self.outbox.retry(item.report_id)

        def done(_result: object) -> None:
            self.changed.emit()
            self.wake()

        self._run(work, done)

    def wake(self) -> None:
        """Send what is due now, one report after the other, in the background."""
        if self._closed:
            return
        if self._busy:
            self._again = True
            return
        self._timer.stop()
        self._busy = True
        self._run(self._background_attempt, self._background_done, self._background_failed)

    def _sender(self, interactive: bool):
        from capture_app import __version__
        from capture_app.core.sending.service import OutboxSender

        sender = OutboxSender(self.outbox, self.transport, app_version=__version__,
                              interactive=interactive)
        sender.on_progress = self._report_progress
        return sender

    def _report_progress(self, report_id: str, done: int, total: int) -> None:
        if self._closed:
            return
        try:
            self._worker_progress.emit(report_id, int(min(done, QT_INT_MAX)),
                                       int(min(total, QT_INT_MAX)))
        except RuntimeError:
            pass  # the app is quitting (see _announce)

    def _background_attempt(self):
        """Everything due, two uploads at a time; each outcome is announced as it happens."""
        from capture_app.core.sending.service import BACKGROUND_WORKERS

        sender = self._sender(False)
        return sender.send_all_due(workers=BACKGROUND_WORKERS, on_outcome=self._announce)

    def _announce(self, outcome) -> None:
        # Called in a worker thread; the windows read the outbox themselves. When the app quits
        # while an attempt runs, this object may be gone before the worker ends: nobody is left
        # to tell, and the outcome is in the outbox already.
        if self._closed:
            return
        try:
            self._worker_changed.emit()
        except RuntimeError:
            pass

    @Slot()
    def _relay_changed(self) -> None:
        self.changed.emit()

    @Slot(str, int, int)
    def _relay_progress(self, report_id: str, done: int, total: int) -> None:
        self.progress.emit(report_id, done, total)

    def _background_done(self, outcomes) -> None:
        self._busy = False
        if self._again:
            self._again = False
            self.wake()
            return
        self._schedule()

    def _background_failed(self, exc: BaseException) -> None:
        self._busy = False
        log.warning("background sending failed: %s", type(exc).__name__)
        self._timer.start(MAX_SLEEP_MS)

    def _schedule(self) -> None:
        if self._closed:
            return
        self.check_handovers()
        try:
            due = self.outbox.next_due()
        except Exception:  # noqa: BLE001
            due = None
        delay = MAX_SLEEP_MS
        if due is not None:
            self._watch_network()  # something waits: send it when the network comes back
            seconds = (due - datetime.now(timezone.utc)).total_seconds()
            delay = int(min(MAX_SLEEP_MS, max(MIN_SLEEP_MS, seconds * 1000)))
        self._timer.start(delay)

    def send_now(self, report_id: str, on_done: Callable[[object], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None) -> None:
        """An attempt the agent asked for (also mail program and export), with progress."""
        from capture_app.core.sending.outbox import OutboxError

        def work():
            try:
                self.outbox.retry(report_id)
            except OutboxError:
                pass  # already queued and due, or being sent by the background
            return self._sender(True).send_next(report_id=report_id)

        def done(outcome) -> None:
            self._sending.discard(report_id)
            self.changed.emit()
            if outcome is not None:
                self.finished.emit(outcome)
            if on_done is not None:
                on_done(outcome)
            self.wake()

        def failed(exc: BaseException) -> None:
            self._sending.discard(report_id)
            self.changed.emit()
            if on_error is not None:
                on_error(exc)

        self._sending.add(report_id)
        self._run(work, done, failed)

    # -- plumbing

    def _run(self, op, on_success, on_error=None) -> None:
        from capture_app.ui.platform.tasks import run_in_background

        run_in_background(op, on_success=on_success,
                          on_error=on_error or (lambda exc: log.warning(
                              "outbox task failed: %s", type(exc).__name__)),
                          pool=self._pool)


def _local_time(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%d.%m.%Y %H:%M")
    except (TypeError, ValueError):
        return stamp or "—"


def handover_text(receipt) -> str:
    """What the agent does next with a report handed to the mail program or exported."""
    params = {"file": receipt.reference, "folder": receipt.destination}
    if receipt.transport == "mail_client":
        return tr(receipt.note or "sending.ui.handed_to_mail_program", **params)
    if not receipt.note:
        return tr("sending.ui.exported", **params)
    text = tr(receipt.note, **params)
    if receipt.note != "sending.ui.exported_instead":
        text += "\n\n" + tr("sending.ui.exported", **params)
    return text


def outcome_message(outcome) -> tuple[str, str]:
    """(kind, text) to tell the agent what an attempt did; kind is information or warning."""
    from capture_app.core.platform.i18n import current_language
    from capture_app.core.platform.sizes import format_size

    if outcome is None:
        return "information", tr("sending.ui.nothing_sent")
    if outcome.state == "handed_over":
        return "information", handover_text(outcome.receipt)
    if outcome.state == "sent" and outcome.receipt.unchecked:
        receipt = outcome.receipt
        return "warning", tr("sending.ui.accepted_unchecked", reference=receipt.reference or "—",
                             destination=receipt.destination, count=len(receipt.files),
                             size=format_size(receipt.size, current_language()),
                             reason=tr(receipt.unchecked))
    if outcome.state == "sent":
        receipt = outcome.receipt
        return "information", tr("sending.ui.sent", reference=receipt.reference or "—",
                                 destination=receipt.destination,
                                 size=format_size(receipt.size, current_language()))
    if outcome.state == "queued":
        when = outcome.next_attempt_at.astimezone().strftime("%H:%M") if outcome.next_attempt_at else "—"
        reason = outcome.error.message() if outcome.error is not None else ""
        return "information", tr("sending.ui.queued_retry", when=when, reason=reason)
    if outcome.state == "needs_attention":
        return "warning", tr("sending.ui.needs_attention", reason=outcome.error.message())
    return "information", tr("sending.ui.taken_over")
