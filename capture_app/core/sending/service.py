"""Sending queued reports: which transport the settings describe, and one attempt at a time.

``transport_from_config`` turns the settings (and the secrets in the keyring) into a transport.
``OutboxSender.send_next`` claims the next due report, makes sure its bundle is built and
unchanged, sends it and records the outcome — the same code runs in the app's background sender
and in a plain process. It never holds a database lock while the network is in use.
"""
from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from capture_app.core.platform.digest import sha256_hasher
from capture_app.core.platform.secrets import SecretStore, http_account, proxy_account, smtp_account
from capture_app.core.sending.outbox import Claim, Outbox, Outcome
from capture_app.core.sending.transports.base import (
    PermanentTransportError,
    Progress,
    TemporaryTransportError,
    Transport,
    TransportError,
    no_progress,
)

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 20.0
BACKGROUND_WORKERS = 2  # uploads at the same time when a backlog is sent
MB = 1024 * 1024
TRANSPORTS = ("mail_client", "smtp", "http", "export")


@dataclass(frozen=True)
class SecretNeed:
    """A secret the current settings need: where it is filed and how to ask for it."""

    account: str
    label_key: str  # sending.secret.*


def secret_needs(config: Any) -> list[SecretNeed]:
    """The secrets the configured transport (and proxy) needs."""
    needs: list[SecretNeed] = []
    kind = config.get("sending.transport")
    if kind == "smtp" and config.get("smtp.user"):
        needs.append(SecretNeed(smtp_account(config.get("smtp.host"), config.get("smtp.port"),
                                             config.get("smtp.user")), "sending.secret.smtp_password"))
    if kind == "http" and http_auth(config) != "none":
        auth = http_auth(config)
        needs.append(SecretNeed(http_account(config.get("http.endpoint"), auth,
                                             config.get("http.user") if auth == "basic" else ""),
                                "sending.secret.http_password" if auth == "basic"
                                else "sending.secret.http_token"))
    if kind == "http" and config.get("network.proxy") and config.get("network.proxy_user"):
        needs.append(SecretNeed(proxy_account(config.get("network.proxy"),
                                              config.get("network.proxy_user")),
                                "sending.secret.proxy_password"))
    return needs


def http_auth(config: Any) -> str:
    """How the http transport signs in: the chosen profile's way, or the generic setting.

    A profile's account always has a password (django-helpdesk) or an API token (the others)."""
    profile = config.get("http.profile") or "generic"
    if profile == "generic":
        return cast("str", config.get("http.auth"))
    from capture_app.core.sending.transports.helpdesk import secret_kind

    return "basic" if secret_kind(profile) == "password" else "bearer"


def default_export_folder() -> Path:
    """Documents (German or English name), else the desktop, else the home folder."""
    home = Path.home()
    for candidate in (home / "Documents", home / "Dokumente", home / "Desktop", home):
        if candidate.is_dir():
            return candidate
    return home


def transport_from_config(config: Any, secrets: SecretStore, *, export_folder: Path | None = None,
                          kind: str | None = None) -> Transport:
    """The transport the settings describe, with its secret from the keyring (or memory)."""
    kind = kind or config.get("sending.transport")
    organisation = config.get("reporter.organisation") or ""
    recipient = config.get("support.email")
    if kind == "smtp":
        from capture_app.core.sending.transports.smtp import SmtpSettings, SmtpTransport

        settings = SmtpSettings(
            host=(config.get("smtp.host") or "").strip(), port=int(config.get("smtp.port")),
            security=config.get("smtp.security"), user=config.get("smtp.user") or "",
            sender=config.get("smtp.sender") or "", recipient=recipient, organisation=organisation,
            max_message_bytes=int(config.get("smtp.max_message_mb")) * MB)
        password = secrets.get(smtp_account(settings.host, settings.port, settings.user)) \
            if settings.user else None
        return SmtpTransport(settings, password)
    if kind == "http":
        from capture_app.core.sending.transports.http import (
            FieldMapping,
            HttpSettings,
            HttpTransport,
        )

        auth = http_auth(config)
        endpoint = (config.get("http.endpoint") or "").strip()
        user = config.get("http.user") or ""
        mapping = FieldMapping(
            title=config.get("http.field_title"), body=config.get("http.field_body"),
            requester_email=config.get("http.field_email"), files=config.get("http.field_files"),
            json=config.get("http.field_json"), bundle=config.get("http.field_bundle"))
        http_settings = HttpSettings(
            endpoint=endpoint, profile=config.get("http.profile") or "generic",
            queue=str(config.get("http.queue") or ""), request_type=str(config.get("http.request_type") or ""),
            constant_fields=_pairs(config.get("http.constant_fields")),
            priority_field=config.get("http.priority_field") or "",
            priority_map=_pairs(config.get("http.priority_map")),
            auth=auth, user=user, token_header=config.get("http.token_header"),
            fields=mapping, ticket_id_path=config.get("http.ticket_id_path"),
            listing=file_listing(config),
            read_timeout=float(config.get("http.timeout_seconds")),
            max_upload_bytes=int(config.get("http.max_upload_mb")) * MB, organisation=organisation,
            proxy_url=config.get("network.proxy") or "", proxy_user=config.get("network.proxy_user") or "")
        secret = None if auth == "none" else secrets.get(
            http_account(endpoint, auth, user if auth == "basic" else ""))
        proxy_password = None
        if http_settings.proxy_url and http_settings.proxy_user:
            proxy_password = secrets.get(proxy_account(http_settings.proxy_url, http_settings.proxy_user))
        return HttpTransport(http_settings, secret, proxy_password=proxy_password)
    folder = Path(config.get("export.folder") or export_folder or default_export_folder())
    if kind == "mail_client":
        from capture_app.core.sending.transports.mail_client import MailClientTransport

        return MailClientTransport(recipient, folder, organisation=organisation)
    if kind == "export":
        from capture_app.core.sending.transports.export import ExportTransport

        return ExportTransport(folder)
    raise PermanentTransportError("sending.transport_unknown", kind=str(kind))


def file_listing(config: Any) -> Any:
    """Where the generic intake lists the files it stored (``transports.verify.Listing``)."""
    from capture_app.core.sending.transports.verify import Listing

    return Listing(files_path=config.get("http.files_path") or "",
                   name_field=config.get("http.file_name_field") or "name",
                   size_field=config.get("http.file_size_field") or "",
                   sha256_field=config.get("http.file_sha256_field") or "",
                   readback_url=config.get("http.readback_url") or "",
                   upload_url=config.get("http.upload_url") or "")


def _pairs(items: Any) -> tuple[tuple[str, str], ...]:
    """``["name=value", …]`` as pairs; entries without "=" are left out."""
    pairs = []
    for item in items or ():
        name, sep, value = str(item).partition("=")
        if sep and name.strip():
            pairs.append((name.strip(), value.strip()))
    return tuple(pairs)


class OutboxSender:
    """Sends queued reports one at a time; used by the app's background sender and by scripts."""

    def __init__(self, outbox: Outbox, make_transport: Callable[[], Transport], *,
                 app_version: str = "", interactive: bool = False,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.outbox = outbox
        self.make_transport = make_transport
        self.app_version = app_version
        self.interactive = interactive
        self._monotonic = monotonic
        self.current_report_id: str | None = None  # the report being sent right now
        # on_progress(report_id, done, total): progress of every attempt, whoever started it.
        self.on_progress: Callable[[str, int, int], None] | None = None

    def send_next(self, progress: Progress = no_progress, *, report_id: str | None = None,
                  transport: Transport | None = None) -> Outcome | None:
        """One attempt at the next due report (or ``report_id``); None when nothing is due.

        ``transport``: one made by :attr:`make_transport` for this run (its connection is reused).
        """
        setup_error = None
        if transport is None:
            try:
                transport = self.make_transport()
            except TransportError as exc:
                transport, setup_error = None, exc
        if transport is not None and transport.interactive and not self.interactive:
            return None  # the mail program or a folder dialog need the agent: not in the background
        claim = self.outbox.claim(report_id)
        if claim is None:
            return None
        self.current_report_id = claim.report_id
        if progress is no_progress and self.on_progress is not None:
            report = self.on_progress
            progress = functools.partial(report, claim.report_id)
        if setup_error is not None:
            return self.outbox.fail(claim, setup_error)
        assert transport is not None  # made above, or its failure returned
        try:
            bundle = self.ensure_bundle(claim)
            heartbeat = self._heartbeat(claim, progress)
            if getattr(transport, "accepts_history", False):
                from capture_app.core.sending.transports.helpdesk import History

                history = History(claim.attempts - 1, claim.ambiguous, claim.tickets)
                # only the transports that say so (accepts_history) take the earlier attempts
                receipt = cast("Any", transport).send(bundle, claim.report, heartbeat, history=history)
            else:
                receipt = transport.send(bundle, claim.report, heartbeat)
        except TransportError as exc:
            log.info("sending %s failed: %s", claim.report_id, exc.key)
            return self.outbox.fail(claim, exc)
        except _LeaseLost:
            return Outcome(claim.report_id, "lost")
        except Exception as exc:
            from capture_app.core.sending.bundle import BundleError

            if isinstance(exc, BundleError):
                error: TransportError = PermanentTransportError(exc.key, **exc.params)
            else:
                log.exception("sending %s failed unexpectedly", claim.report_id)
                error = TemporaryTransportError("sending.unexpected", reason=type(exc).__name__)
            return self.outbox.fail(claim, error)
        if transport.hands_over:
            # The mail program (or a folder) has it now; sent is what the agent says later.
            log.info("handed over %s via %s", claim.report_id, receipt.transport)
            return self.outbox.hand_over(claim, receipt)
        log.info("sent %s via %s", claim.report_id, receipt.transport)
        return self.outbox.complete(claim, receipt, durable=not transport.idempotent)

    def send_all_due(self, progress: Progress = no_progress, *, limit: int = 1000, workers: int = 1,
                     on_outcome: Callable[[Outcome], None] | None = None) -> list[Outcome]:
        """Send until nothing is due (at most ``limit`` attempts).

        With several ``workers`` uploads overlap — a backlog after a day offline drains faster,
        and the outbox's bookkeeping runs while another upload waits for its answer. The claim
        transaction gives every report to exactly one worker.
        """
        lock = threading.Lock()
        outcomes: list[Outcome] = []
        left = [limit]

        def work() -> None:
            # One transport per worker for the whole run: its connection (and TLS session) is
            # reused from report to report. If it cannot be made, every attempt says why.
            try:
                transport = self.make_transport()
            except TransportError:
                transport = None
            while True:
                with lock:
                    if left[0] <= 0:
                        return
                    left[0] -= 1
                outcome = self.send_next(progress, transport=transport)
                if outcome is None:
                    return
                with lock:
                    outcomes.append(outcome)
                if on_outcome is not None:
                    on_outcome(outcome)

        if workers <= 1:
            work()
            return outcomes
        threads = [threading.Thread(target=work, name=f"outbox-sender-{n}", daemon=True)
                   for n in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return outcomes

    def ensure_bundle(self, claim: Claim) -> Path:
        """The report's bundle, built once per revision and checked before every attempt.

        Retries send the very same bytes (same bundle, same hash), so a server that deduplicates
        by idempotency key sees one request repeated, not a different one.
        """
        from capture_app import __version__
        from capture_app.core.sending.bundle import build_bundle

        path = self.outbox.bundle_path(claim.report_id)
        if (claim.bundle_sha256 and claim.bundle_revision == claim.revision
                and _sha256_of(path) == claim.bundle_sha256):
            return path
        store = self.outbox.store
        info = build_bundle(claim.report, lambda item: store.attachment_path(claim.report_id, item.id),
                            path, app_version=self.app_version or __version__,
                            language=claim.report.language or "de")
        self.outbox.record_bundle(claim, info.zip_sha256)
        return path

    def _heartbeat(self, claim: Claim, progress: Progress) -> Progress:
        last = [self._monotonic()]

        def report(done: int, total: int) -> None:
            now = self._monotonic()
            if now - last[0] >= HEARTBEAT_SECONDS:
                last[0] = now
                if not self.outbox.renew(claim):
                    raise _LeaseLost()
            progress(done, total)

        return report


class _LeaseLost(Exception):
    """Another process took the report over (our lease had expired): stop quietly."""


def _sha256_of(path: Path) -> str:
    digest = sha256_hasher()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()
