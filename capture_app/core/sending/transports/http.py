"""HTTP: one multipart POST per report to a ticket system's intake, streamed from disk.

The request body is produced piece by piece from the bundle (requests-toolbelt's streaming
encoder), so memory stays flat for a bundle of any size. Every attempt for a report carries the
same ``Idempotency-Key`` (the report id) and byte-identical content (the multipart boundary is
derived from the id too): a server that committed a ticket and then lost the connection answers
the retry with the same ticket instead of creating a second one.

Which form fields carry what is configurable (``FieldMapping``), as is where the ticket number
is in the JSON answer (``ticket_id_path``, e.g. ``ticket.id`` or ``data[0].id``).

Policy per answer, decided here and nowhere else:

============================  ===========================================================
2xx                           sent; the ticket id is taken from the answer
307 / 308                     followed (at most 3 times) with the body sent again; the
                              credentials only go along while the origin stays the same
other 3xx                     needs attention: the endpoint moved, settings must change
408, 409, 425, 429, 5xx       temporary: retried with backoff, honouring ``Retry-After``
401 / 403                     needs attention: the credentials were refused
413                           needs attention: too large; shrink the report
other 4xx (400, 404, 422 …)   needs attention with the server's reason
no answer, reset, timeout     temporary
TLS verification failed       needs attention (expired, self-signed, wrong host …)
============================  ===========================================================
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, NoReturn, cast
from urllib.parse import urljoin

from capture_app.core.platform.secrets import Secret
from capture_app.core.report.model import Report, iso, utc_now
from capture_app.core.sending.transports.base import (
    PermanentTransportError,
    Progress,
    Receipt,
    TemporaryTransportError,
    Transport,
    TransportError,
    no_progress,
)
from capture_app.core.sending.transports.content import BundleContents, SizedReader, subject_for
from capture_app.core.sending.transports.verify import Listing
from capture_app.core.sending.transports.wire import display, file_sha256, read_limited

AUTH_KINDS = ("none", "bearer", "basic", "header")
TEMPORARY_STATUSES = {408, 409, 425, 429}
MAX_REDIRECTS = 3
MAX_RETRY_AFTER = 24 * 3600.0
SMALL_BODY = 256 * 1024  # smaller bodies are sent from memory; larger ones always streamed
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FieldMapping:
    """Form field names; an empty name leaves that piece out of the request."""

    title: str = "subject"
    body: str = "description"
    requester_email: str = "email"
    files: str = "attachments[]"
    json: str = "report"
    manifest: str = "manifest"
    bundle: str = ""


@dataclass(frozen=True)
class HttpSettings:
    endpoint: str  # the helpdesk's address (profiles) or the intake URL (generic)
    profile: str = "generic"  # core.transports.helpdesk.PROFILES
    queue: str = ""  # queue / group / service desk, as the profile needs it
    request_type: str = ""  # Jira Service Management: the request type id
    constant_fields: tuple[tuple[str, str], ...] = ()  # generic: sent with every report
    priority_field: str = ""  # generic: the field that carries the urgency, mapped below
    priority_map: tuple[tuple[str, str], ...] = ()  # generic: urgency → the server's value
    auth: str = "bearer"
    user: str = ""  # basic auth
    token_header: str = "X-API-Key"  # auth = "header"
    fields: FieldMapping = field(default_factory=FieldMapping)
    ticket_id_path: str = "id"
    listing: Listing = field(default_factory=Listing)  # generic: where the server lists its files
    connect_timeout: float = 15.0
    read_timeout: float = 60.0
    max_upload_bytes: int = 0  # 0: the server decides
    organisation: str = ""
    proxy_url: str = ""
    proxy_user: str = ""


class HttpTransport(Transport):
    name = "http"
    idempotent = True
    accepts_history = True  # send() takes what earlier attempts left (helpdesk.History)

    def __init__(self, settings: HttpSettings, secret: Secret | None = None, *,
                 proxy_password: Secret | None = None, session: Any = None,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.settings = settings
        self._secret = secret
        self._proxy_password = proxy_password
        self._session = session
        self.clock = clock

    # -- the request ---------------------------------------------------------------------

    def session(self) -> Any:
        if self._session is None:
            from capture_app import __version__
            from capture_app.core.platform.net import make_session

            self._session = make_session(proxy_url=self.settings.proxy_url,
                                         proxy_user=self.settings.proxy_user,
                                         proxy_password=self._proxy_password,
                                         user_agent=f"ReportCapture/{__version__}")
        self._session.credential_headers = {"Authorization", self.settings.token_header or "Authorization"}
        return self._session

    def credential_headers(self) -> dict[str, str]:
        kind = self.settings.auth if self.settings.profile in ("", "generic") else "profile"
        if kind == "none":
            return {}
        from capture_app.core.platform.net import is_local_host

        endpoint = self.settings.endpoint.strip()
        if endpoint.lower().startswith("http://") and not is_local_host(endpoint):
            # A token or password over plain http can be read by anyone on the way.
            raise PermanentTransportError("sending.url.plain_http_credentials", url=display(endpoint))
        if not self._secret:
            raise PermanentTransportError("sending.credentials_missing", what=self._what_secret())
        token = self._secret.reveal()
        if self.settings.profile not in ("", "generic"):
            from capture_app.core.sending.transports.helpdesk import profile_auth_headers

            return profile_auth_headers(self.settings.profile, self.settings.user, token)
        if kind == "bearer":
            return {"Authorization": f"Bearer {token}"}
        if kind == "basic":
            pair = f"{self.settings.user}:{token}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
        if kind == "header":
            return {self.settings.token_header: token}
        raise PermanentTransportError("sending.http.auth_kind_unknown", kind=kind)

    def _what_secret(self) -> str:
        if self.settings.profile not in ("", "generic"):
            from capture_app.core.sending.transports.helpdesk import secret_kind

            basic = secret_kind(self.settings.profile) == "password"
        else:
            basic = self.settings.auth == "basic"
        return "sending.secret.http_password" if basic else "sending.secret.http_token"

    def _check_endpoint(self) -> str:
        from capture_app.core.platform.net import url_problem

        endpoint = self.settings.endpoint.strip()
        problem = url_problem(endpoint)
        if problem == "empty":
            raise PermanentTransportError("sending.http.not_configured")
        if problem:
            raise PermanentTransportError(f"sending.url.{problem}", url=endpoint[:200])
        return endpoint

    def _encoder(self, contents: BundleContents, report: Report, bundle_path: Path) -> Any:
        parts, handles, boundary, _files = self._parts(contents, report, bundle_path)
        return _streaming_body(parts, boundary), handles

    def _parts(self, contents: BundleContents, report: Report,
               bundle_path: Path) -> tuple[list[tuple[str, Any]], list[Any], str, tuple[Any, ...]]:
        """The form fields as the field mapping names them, the open member streams, the
        boundary, and (name, size, SHA-256) of every file sent."""
        mapping = self.settings.fields
        parts: list[tuple[str, Any]] = []
        if mapping.title:
            parts.append((mapping.title, subject_for(report, self.settings.organisation)))
        if mapping.body:
            parts.append((mapping.body, contents.body_text()))
        if mapping.requester_email and report.reporter.email:
            parts.append((mapping.requester_email, report.reporter.email))
        parts += [(name, value) for name, value in self.settings.constant_fields if name]
        if self.settings.priority_field:
            levels = dict(self.settings.priority_map)
            urgency = report.description.urgency or "normal"
            value = levels.get(urgency, levels.get("normal", ""))
            if value != "":
                parts.append((self.settings.priority_field, str(value)))
        handles = []
        members = contents.attachments() if (mapping.json or mapping.files) else []
        json_member = next((m for m in members if m.path == "report.json"), None)
        files: list[tuple[str, int, str]] = []
        if mapping.json and json_member is not None:
            parts.append((mapping.json, (json_member.filename, contents.read(json_member.path),
                                         "application/json")))
            files.append((json_member.filename, json_member.size, json_member.sha256))
        if mapping.files:
            for member in members:
                if member is json_member:
                    continue
                handle = contents.open(member.path)
                handles.append(handle)
                parts.append((mapping.files, (member.filename, SizedReader(handle, member.size),
                                              member.media_type)))
                files.append((member.filename, member.size, member.sha256))
        if mapping.manifest:
            manifest = contents.manifest_member()
            parts.append((mapping.manifest, ("manifest.json", contents.manifest_bytes,
                                             "application/json")))
            files.append((manifest.filename, manifest.size, manifest.sha256))
        if mapping.bundle:
            handle = bundle_path.open("rb")
            handles.append(handle)
            size = bundle_path.stat().st_size
            name = bundle_path.name if bundle_path.name.endswith(".zip") else "bericht.zip"
            parts.append((mapping.bundle, (name, SizedReader(handle, size), "application/zip")))
            files.append((name, size, file_sha256(bundle_path)))
        # A boundary derived from the report id: every attempt sends the very same bytes.
        boundary = "report-capture-" + re.sub(r"[^A-Za-z0-9]", "", report.id)[:40]
        return parts, handles, boundary, tuple(files)

    def encoded_size(self, bundle_path: Path, report: Report) -> int:
        with BundleContents(bundle_path) as contents:
            encoder, handles = self._encoder(contents, report, Path(bundle_path))
            try:
                return int(encoder.len)
            finally:
                for handle in handles:
                    handle.close()

    def size_limit(self) -> int | None:
        return self.settings.max_upload_bytes or None

    def send(self, bundle_path: Path, report: Report, progress: Progress = no_progress,
             history: Any = None) -> Receipt:
        from capture_app.core.sending.transports.helpdesk import (
            History,
            make_profile,
            send_with_profile,
        )

        history = history or History()
        endpoint = self._check_endpoint()
        bundle_path = Path(bundle_path)
        credentials = self.credential_headers()
        if self.settings.profile not in ("", "generic"):
            profile = make_profile(self.settings.profile, self.settings.queue, self.settings.request_type)
            return send_with_profile(self, profile, bundle_path, report, progress, history)
        try:
            return self._send_generic(endpoint, bundle_path, report, credentials, progress, history)
        except TransportError as exc:
            exc.tickets = tuple(history.tickets) + tuple(getattr(exc, "tickets", ()))
            raise

    def _send_generic(self, endpoint: str, bundle_path: Path, report: Report, credentials: dict[str, Any],
                      progress: Progress, history: Any) -> Receipt:
        from capture_app.core.sending.transports.helpdesk import AMBIGUOUS_TIMEOUT_CAP

        read_timeout = self.settings.read_timeout
        if history.ambiguous:  # the last answer never came: wait longer this time
            read_timeout = min(AMBIGUOUS_TIMEOUT_CAP, read_timeout * (2 + history.attempts))
        known = self._complete_known(endpoint, bundle_path, report, history, read_timeout)
        if known is not None:
            return known
        url = endpoint
        for _hop in range(MAX_REDIRECTS + 1):
            with BundleContents(bundle_path) as contents:
                parts, handles, boundary, files = self._parts(contents, report, bundle_path)
                try:
                    # A small body is built in memory at once (one send()); a large one is
                    # streamed. Both are the same bytes (tests compare them).
                    body: _SentBytes | _HashingBody | None = _small_body(parts, boundary)
                    if body is None:
                        encoder = _streaming_body(parts, boundary)
                        total, content_type = int(encoder.len), encoder.content_type
                    elif isinstance(body, _SentBytes):
                        total, content_type = body.sent, body.content_type
                    limit = self.size_limit()
                    if limit and total > limit:
                        raise _too_large(total, limit)
                    if body is None:
                        body = _HashingBody(encoder, progress)
                    else:
                        progress(total, total)
                    headers = {"Content-Type": content_type, "Idempotency-Key": report.id,
                               "Accept": "application/json"}
                    from capture_app.core.platform.net import same_origin

                    if same_origin(url, endpoint):
                        headers.update(credentials)
                    response = self._post(url, body, headers, read_timeout)
                finally:
                    for handle in handles:
                        handle.close()
            try:
                status = response.status_code
                if status in (307, 308) and response.headers.get("Location"):
                    url = urljoin(url, response.headers["Location"])
                    from capture_app.core.platform.net import url_problem

                    if url_problem(url):
                        raise PermanentTransportError("sending.http.redirected",
                                                      location=display(url))
                    continue
                text = read_limited(response)
                if 200 <= status < 300:
                    reference = ticket_id(text, self.settings.ticket_id_path) or \
                        response.headers.get("Location", "")
                    return self._accepted(endpoint, text, reference, report, bundle_path, files,
                                          history, body.sent, read_timeout)
                raise self.status_error(status, response.headers, text)
            finally:
                response.close()
        raise PermanentTransportError("sending.http.too_many_redirects", url=display(endpoint))

    def _accepted(self, endpoint: str, answer: str, reference: str, report: Report, bundle_path: Path,
                  files: tuple[Any, ...], history: Any, sent: int, read_timeout: float) -> Receipt:
        """The receipt for a 2xx answer, once the files are checked (or why they could not be)."""
        tickets = tuple(dict.fromkeys(history.tickets + ((reference,) if reference else ())))
        try:
            unchecked = self._check_files(endpoint, answer, reference, report, bundle_path, files, tickets,
                                          read_timeout)
        except TransportError as exc:  # the ticket exists: a later attempt must know its number
            exc.tickets = tuple(dict.fromkeys(tuple(getattr(exc, "tickets", ())) + tickets))
            raise
        return Receipt(self.name, display(endpoint), iso(self.clock()), reference, file_sha256(bundle_path),
                       sent, files, tickets, unchecked=unchecked)

    def _check_files(self, endpoint: str, answer: str, reference: str, report: Report, bundle_path: Path,
                     files: tuple[Any, ...], tickets: tuple[str, ...], read_timeout: float) -> str:
        """'' when every file sent is on the ticket (missing ones uploaded again where that is
        configured); the reason key when the files could not be checked. Raises
        ``FilesMissing`` when some are not there."""
        from capture_app.core.sending.transports.verify import (
            UNCHECKED_NO_LIST,
            UNCHECKED_NOT_CONFIGURED,
            Check,
            stored_files,
        )

        listing = self.settings.listing
        if not listing.configured:
            return UNCHECKED_NOT_CONFIGURED
        check = Check(self, endpoint, report.id, read_timeout)
        stored = stored_files(answer, listing) if listing.files_path.strip() else None
        if stored is None and reference:
            _known, stored = check.read_back(reference)
        if stored is None:
            return UNCHECKED_NO_LIST
        with BundleContents(bundle_path) as contents:
            check.settle(reference, stored, files, self._sources(contents, report, bundle_path), tickets)
        return ""

    def _complete_known(self, endpoint: str, bundle_path: Path, report: Report, history: Any,
                        read_timeout: float) -> Receipt | None:
        """The receipt for the ticket an earlier attempt created, once it has every file;
        ``None`` when the server no longer has that ticket (then a new one is created)."""
        from capture_app.core.sending.transports.verify import UNCHECKED_NO_LIST, Check

        if not (history.tickets and self.settings.listing.reuses_ticket):
            return None
        # An earlier attempt created the ticket: complete it instead of creating another.
        ticket = history.tickets[-1]
        check = Check(self, endpoint, report.id, read_timeout)
        known, stored = check.read_back(ticket)
        if not known:
            return None
        with BundleContents(bundle_path) as contents:
            _parts, handles, _boundary, files = self._parts(contents, report, bundle_path)
            for handle in handles:
                handle.close()
            if stored is not None:
                check.settle(ticket, stored, files, self._sources(contents, report, bundle_path),
                             tuple(history.tickets))
        return Receipt(self.name, display(endpoint), iso(self.clock()), ticket, file_sha256(bundle_path),
                       bundle_path.stat().st_size, files, tuple(history.tickets),
                       unchecked="" if stored is not None else UNCHECKED_NO_LIST)

    def _sources(self, contents: BundleContents, report: Report,
                 bundle_path: Path) -> dict[str, tuple[Callable[[], Any], str]]:
        """Every file the request carries by its name: how to read it again, and its type."""
        from functools import partial

        def member_reader(path: str, size: int) -> Any:
            return SizedReader(contents.open(path), size)

        sources: dict[str, tuple[Callable[[], Any], str]] = {}
        for member in contents.attachments():
            sources[member.filename] = (partial(member_reader, member.path, member.size), member.media_type)
            if member.path == "report.json":
                sources[member.filename] = (partial(contents.read, member.path), "application/json")
        manifest = contents.manifest_bytes
        sources["manifest.json"] = (partial(bytes, manifest), "application/json")
        if self.settings.fields.bundle:
            name = bundle_path.name if bundle_path.name.endswith(".zip") else "bericht.zip"
            sources[name] = (bundle_path.read_bytes, "application/zip")
        return sources

    def _post(self, url: str, body: Any, headers: dict[str, str], read_timeout: float | None = None) -> Any:
        import requests

        from capture_app.core.sending.transports.helpdesk import AmbiguousError, lost_after_sending

        session = self.session()
        try:
            return session.post(url, data=body, headers=headers, allow_redirects=False, stream=True,
                                timeout=(self.settings.connect_timeout,
                                         read_timeout or self.settings.read_timeout))
        except TransportError:
            raise
        except (requests.exceptions.RequestException, OSError) as exc:
            done = isinstance(body, bytes) or getattr(body, "sent", 0) >= getattr(body, "total", 1)
            if done and lost_after_sending(exc):
                from capture_app.core.platform.net import network_cause

                raise AmbiguousError("sending.http.no_answer", url=display(url),
                                     reason=network_cause(exc)) from None
            self.raise_for(exc, url)

    def status_error(self, status: int, headers: Any, text: str) -> TransportError:
        reason = server_reason(text) or str(status)
        if status in TEMPORARY_STATUSES or status >= 500:
            return TemporaryTransportError("sending.http.server_busy", status=status, reason=reason,
                                           retry_after=retry_after(headers.get("Retry-After"),
                                                                   self.clock()))
        if status in (401, 403):
            return PermanentTransportError("sending.http.auth_rejected", status=status, reason=reason)
        if status == 407:
            return PermanentTransportError("sending.proxy_auth",
                                           proxy=display(self.settings.proxy_url or ""))
        if status == 413:
            return PermanentTransportError("sending.http.too_large_server", status=status, reason=reason)
        if 300 <= status < 400:
            return PermanentTransportError("sending.http.redirected",
                                           location=display(headers.get("Location", "")))
        if status in (404, 405):
            return PermanentTransportError("sending.http.wrong_endpoint", status=status, reason=reason)
        return PermanentTransportError("sending.http.rejected", status=status, reason=reason)

    def check(self) -> str:
        """Reach the endpoint with the credentials (no report is created: a HEAD request, or a
        helpdesk profile's look-up call, which needs the account to be accepted)."""
        import requests

        endpoint = self._check_endpoint()
        headers = self.credential_headers()
        if self.settings.profile not in ("", "generic"):
            return self._check_profile(endpoint)
        session = self.session()
        try:
            response = session.head(endpoint, headers=headers, allow_redirects=False,
                                    timeout=(self.settings.connect_timeout, self.settings.read_timeout))
        except requests.exceptions.RequestException as exc:
            self.raise_for(exc, endpoint)
        status = response.status_code
        response.close()
        if status in (401, 403):
            raise PermanentTransportError("sending.http.auth_rejected", status=status, reason=str(status))
        if status >= 500:
            raise TemporaryTransportError("sending.http.server_busy", status=status, reason=str(status))
        from capture_app.core.platform.i18n import tr

        key = "sending.check.http_ok" if endpoint.lower().startswith("https://") \
            else "sending.check.http_ok_plain"
        text = tr(key, url=display(endpoint), status=status)
        listing = self.settings.listing
        if not listing.configured:
            return tr("sending.check.http_ok_unchecked", ok=text)
        from capture_app.core.sending.transports.verify import expand

        for template in (listing.readback_url, listing.upload_url):
            if template.strip():
                expand(template, endpoint, "1", "00000000-0000-4000-8000-000000000000")
        return text

    def _check_profile(self, endpoint: str) -> str:
        from capture_app.core.platform.i18n import tr
        from capture_app.core.report.model import Report
        from capture_app.core.sending.transports.helpdesk import Client, make_profile

        profile = make_profile(self.settings.profile, self.settings.queue, self.settings.request_type)
        client = Client(self, endpoint, self.settings.read_timeout, no_progress)
        profile.find(client, Report(id="00000000-0000-4000-8000-000000000000"))
        name = tr(f"sending.settings.choice_http_profile_{self.settings.profile}")
        key = "sending.check.helpdesk_ok" if endpoint.lower().startswith("https://") \
            else "sending.check.helpdesk_ok_plain"
        return tr(key, url=display(endpoint), system=name)

    def raise_for(self, exc: BaseException, url: str) -> NoReturn:
        """The transport error for a request that got no answer."""
        import requests

        from capture_app.core.platform.net import is_name_resolution_error, tls_failure

        if isinstance(exc, requests.exceptions.SSLError) or tls_failure(exc) is not None:
            raise _tls_error(exc, url) from None
        if isinstance(exc, requests.exceptions.ProxyError):
            if "407" in str(exc):
                raise PermanentTransportError("sending.proxy_auth",
                                              proxy=display(self.settings.proxy_url or "")) from None
            raise TemporaryTransportError("sending.proxy_unreachable", reason=_reason(exc)) from None
        if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                            requests.exceptions.InvalidSchema)):
            raise PermanentTransportError("sending.url.no_scheme", url=display(url)) from None
        if isinstance(exc, requests.exceptions.Timeout):
            raise TemporaryTransportError("sending.http.timeout", url=display(url),
                                          reason=_reason(exc)) from None
        from capture_app.core.platform.net import network_cause

        if is_name_resolution_error(exc):
            raise TemporaryTransportError("sending.http.unknown_host", url=display(url),
                                          reason=_reason(exc)) from None
        raise TemporaryTransportError("sending.http.unreachable", url=display(url),
                                      reason=network_cause(exc)) from None


class _HashingBody:
    """The encoder as requests reads it, hashing and counting what goes out."""

    def __init__(self, encoder: Any, progress: Progress) -> None:
        self._encoder = encoder
        self._progress = progress
        self._digest = hashlib.sha256()
        self.total = int(encoder.len)
        self.sent = 0
        progress(0, self.total)

    @property
    def len(self) -> int:
        return self.total - self.sent

    def read(self, size: int = -1) -> bytes:
        data = self._encoder.read(_CHUNK if size is None or size < 0 else size)
        if data:
            self._digest.update(data)
            self.sent += len(data)
            self._progress(self.sent, self.total)
        return cast("bytes", data)

    def sha256(self) -> str:
        return self._digest.hexdigest()


class _SentBytes(bytes):
    """A small body held in memory, with what the receipt needs."""

    _digest: str
    content_type: str

    def __new__(cls, data: bytes, digest: str, content_type: str = "") -> _SentBytes:
        value = super().__new__(cls, data)
        value._digest = digest
        value.content_type = content_type
        return value

    @property
    def sent(self) -> int:
        return len(self)

    def sha256(self) -> str:
        return self._digest


# --- helpers --------------------------------------------------------------------------------

_PART_HEADERS = 1024  # generous room for one part's boundary and headers


def _streaming_body(parts: list[tuple[str, Any]], boundary: str) -> Any:
    """The multipart body as a stream of known length (requests-toolbelt's encoder)."""
    from requests_toolbelt.multipart.encoder import MultipartEncoder

    return MultipartEncoder(fields=parts, boundary=boundary)


def _small_body(parts: list[tuple[str, Any]], boundary: str) -> _SentBytes | None:
    """The whole multipart body in memory when it is small (``None`` otherwise), encoded by
    urllib3 exactly as the streaming encoder would encode it."""
    size = len(parts) * _PART_HEADERS
    for _name, value in parts:
        data = value[1] if isinstance(value, tuple) else value
        size += data.len if isinstance(data, SizedReader) else len(data) * (
            4 if isinstance(data, str) else 1)
        if size > SMALL_BODY:
            return None
    from urllib3.filepost import encode_multipart_formdata

    fields = [(name, (value[0], value[1].read() if isinstance(value[1], SizedReader) else value[1],
                      value[2]) if isinstance(value, tuple) else value)
              for name, value in parts]
    data, content_type = encode_multipart_formdata(fields, boundary=boundary)
    return _SentBytes(data, hashlib.sha256(data).hexdigest(), content_type)


def _reason(exc: BaseException) -> str:
    from capture_app.core.platform.net import clean_reason

    return clean_reason(f"{type(exc).__name__}: {exc}", 200)


def _tls_error(exc: BaseException, url: str) -> PermanentTransportError:
    from capture_app.core.platform.net import tls_failure, tls_reason_key

    tls = tls_failure(exc)
    key = tls_reason_key(tls) if tls is not None else "sending.tls.failed"
    return PermanentTransportError(key, host=display(url), reason=_reason(tls or exc))


def _too_large(size: int, limit: int) -> PermanentTransportError:
    from capture_app.core.platform.i18n import current_language
    from capture_app.core.platform.sizes import format_size

    language = current_language()
    return PermanentTransportError("sending.too_large", size=format_size(size, language, round_up=True),
                                   limit=format_size(limit, language))


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    delta = (moment - (now or utc_now())).total_seconds()
    return min(max(delta, 0.0), MAX_RETRY_AFTER)


def ticket_id(text: str, path: str) -> str:
    """The value at ``path`` (``id``, ``ticket.id``, ``data[0].id``, ``$.id``) in a JSON text."""
    from capture_app.core.sending.transports.verify import node_at

    if not text or not path:
        return ""
    try:
        node: Any = json.loads(text)
    except ValueError:
        return ""
    node = node_at(node, path)
    if isinstance(node, (str, int, float)) and not isinstance(node, bool):
        return str(node)[:200]
    return ""


def server_reason(text: str) -> str:
    """A short reason from an error answer: JSON ``message``/``error``/``detail`` or the text."""
    from capture_app.core.platform.net import clean_reason

    if not text:
        return ""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("message", "error_description", "detail", "error", "title", "errors"):
            value = data.get(key)
            if isinstance(value, dict):
                value = value.get("message") or json.dumps(value, ensure_ascii=False)
            elif isinstance(value, list):
                value = "; ".join(str(v.get("message", v)) if isinstance(v, dict) else str(v)
                                  for v in value[:5])
            if value:
                return clean_reason(str(value))
    stripped = re.sub(r"<[^>]+>", " ", text)  # an HTML error page: its words only
    return clean_reason(stripped)
