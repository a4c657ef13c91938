"""Ticket systems through their own documented APIs: one profile per vendor.

A profile knows its vendor's calls; the agent (or the organisation file) gives only the address,
the account and the queue/group. Every profile does the same four things:

``find``      look the report up by its id (external id, tag, search), where the API can —
              before creating anything when an earlier attempt ended without an answer;
``create``    create the ticket with the readable report (and the files the create call takes);
``attach``    add the remaining files the way the vendor documents it;
``files``     read the ticket back: which files it really has.

The transport then compares what the ticket has with what was sent. A missing file is uploaded
once more; still missing, the report *needs attention* ("3 von 4 Dateien fehlen") — it is never
called sent. Every ticket number a server returned ends up in the receipt.

=====================  ===========================================================================
django-helpdesk        ``POST /api/tickets/`` (multipart: queue id, title, description,
                       submitter_email, priority 1–5, *one* ``attachment``), the other files through
                       ``POST /api/followups/`` (``attachments``), read back from
                       ``GET /api/tickets/{id}/``; looked up in ``GET /api/tickets/`` by the report
                       id in the description. Its default upload filter knows no .json/.log/.har:
                       such text files get a ``.txt`` ending so they are kept.
Zendesk                ``POST /api/v2/uploads?filename=`` per file → tokens →
                       ``POST /api/v2/tickets`` with ``comment.uploads`` and ``external_id`` = report
                       id; looked up with ``GET /api/v2/tickets?external_id=``; read back from
                       ``GET /api/v2/tickets/{id}/comments``.
Freshdesk              ``POST /api/v2/tickets`` multipart with ``attachments[]`` (20 MB in all)
                       and the tag ``report-<id>``; looked up with
                       ``GET /api/v2/search/tickets?query="tag:'report-<id>'"``; read back from
                       ``GET /api/v2/tickets/{id}``.
Jira Service Mgmt.     ``POST /rest/servicedeskapi/request``, then per file
                       ``…/servicedesk/{id}/attachTemporaryFile`` and
                       ``POST /rest/servicedeskapi/request/{key}/attachment``; looked up with
                       ``GET /rest/servicedeskapi/request?searchTerm=`` (the summary names the
                       report); read back from ``GET …/request/{key}/attachment``.
Zammad                 ``POST /api/v1/tickets`` with the article's ``attachments`` (base64); looked up
                       with ``GET /api/v1/tickets/search?query=``; read back from
                       ``GET /api/v1/ticket_articles/by_ticket/{id}``.
generic                one multipart POST (``http.py``) with constant fields and the urgency mapped
                       to a priority.
=====================  ===========================================================================
"""
from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, cast
from urllib.parse import quote, urljoin

from capture_app.core.report.model import Report, iso
from capture_app.core.sending.transports.base import (
    PermanentTransportError,
    Progress,
    Receipt,
    TemporaryTransportError,
    TransportError,
    no_progress,
)
from capture_app.core.sending.transports.content import (
    BundleContents,
    Member,
    SizedReader,
    subject_for,
)
from capture_app.core.sending.transports.wire import display, file_sha256, read_limited

PROFILES = ("generic", "django_helpdesk", "zendesk", "freshdesk", "jira_service_management", "zammad")
LOOKUP_PAGES = 8  # pages of a ticket list searched for a report (django-helpdesk has no search)
AMBIGUOUS_TIMEOUT_CAP = 600.0
_CHUNK = 64 * 1024

# Report urgency → each vendor's priority.
PRIORITIES: dict[str, dict[str, Any]] = {
    "django_helpdesk": {"critical": 1, "high": 2, "normal": 3, "low": 4, "": 3},
    "zendesk": {"critical": "urgent", "high": "high", "normal": "normal", "low": "low", "": "normal"},
    "freshdesk": {"critical": 4, "high": 3, "normal": 2, "low": 1, "": 2},
    "zammad": {"critical": "3 high", "high": "3 high", "normal": "2 normal", "low": "1 low", "": "2 normal"},
    "jira_service_management": {},
}
# How each vendor signs in; the agent gives the account and the password/token only.
#   basic: user + password/API token;  zendesk: "<e-mail>/token" + API token;
#   apikey: the API key as user, "X" as password (Freshdesk);  token: "Token token=<token>" (Zammad)
PROFILE_AUTH = {"django_helpdesk": "basic", "zendesk": "zendesk", "freshdesk": "apikey",
                "jira_service_management": "basic", "zammad": "token"}


def profile_auth_headers(profile: str, user: str, secret: str) -> dict[str, str]:
    kind = PROFILE_AUTH.get(profile, "basic")
    if kind == "token":
        return {"Authorization": f"Token token={secret}"}
    if kind == "apikey":
        user, secret = secret, "X"
    elif kind == "zendesk" and not user.endswith("/token"):
        user = f"{user}/token"
    pair = f"{user}:{secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}


def secret_kind(profile: str) -> str:
    """What the agent enters: a password (django-helpdesk) or an API token (the others)."""
    return "password" if profile == "django_helpdesk" else "token"


# What django-helpdesk keeps by default (HELPDESK_VALID_EXTENSIONS).
DJANGO_HELPDESK_EXTENSIONS = (".txt", ".asc", ".pdf", ".doc", ".docx", ".odt", ".jpg", ".png", ".eml")
TEXT_TYPES = ("text/", "application/json", "application/har+json", "application/xml")


@dataclass(frozen=True)
class History:
    """What earlier attempts for this report left behind (from the outbox)."""

    attempts: int = 0  # attempts before this one
    ambiguous: bool = False  # one ended with the request sent and no answer
    tickets: tuple[str, ...] = ()  # ticket numbers servers returned before


@dataclass
class Upload:
    """One file to put on the ticket, as the helpdesk will name it."""

    member: Member
    name: str  # the name on the ticket (may differ from the bundle: see django-helpdesk)

    @property
    def size(self) -> int:
        return self.member.size


@dataclass
class Created:
    ticket: str  # the id the API works with
    number: str = ""  # what people call it (Zammad's number, Jira's key); the id otherwise
    attached: set[str] = field(default_factory=set)  # names the create call already took


class AmbiguousError(TemporaryTransportError):
    """The request went out completely and no answer came: it may have been created."""

    ambiguous = True


class Client:
    """HTTP for a profile: the base address, credentials, timeouts and error mapping."""

    def __init__(self, transport: Any, base: str, read_timeout: float, progress: Progress) -> None:
        self.transport = transport
        self.base = base.rstrip("/") + "/"
        self.read_timeout = read_timeout
        self.progress = progress
        self.sent = 0
        self.total = 0

    def url(self, path: str) -> str:
        return urljoin(self.base, path.lstrip("/"))

    def request(self, method: str, path: str, *, json_body: Any = None, data: Any = None,
                headers: dict[str, Any] | None = None, params: dict[str, Any] | None = None,
                ambiguous_if_lost: bool = False, ok: Iterable[int] = ()) -> tuple[int, Any]:
        """(status, parsed JSON or text); raises TransportError for anything but 2xx/``ok``."""
        import requests

        session = self.transport.session()
        all_headers = {"Accept": "application/json"}
        all_headers.update(self.transport.credential_headers())
        all_headers.update(headers or {})
        if json_body is not None:
            data = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            all_headers["Content-Type"] = "application/json; charset=utf-8"
        url = self.url(path)
        body_sent = [data is None]
        if data is not None and not isinstance(data, (bytes, str)):
            data = _Watched(data, lambda: body_sent.__setitem__(0, True))
        else:
            body_sent[0] = True
        try:
            response = session.request(method, url, data=data, headers=all_headers, params=params,
                                       allow_redirects=False, stream=True,
                                       timeout=(self.transport.settings.connect_timeout, self.read_timeout))
        except TransportError:
            raise
        except (requests.exceptions.RequestException, OSError) as exc:
            if ambiguous_if_lost and body_sent[0] and lost_after_sending(exc):
                from capture_app.core.platform.net import display_url, network_cause

                raise AmbiguousError("sending.http.no_answer", url=display_url(url),
                                     reason=network_cause(exc)) from None
            self.transport.raise_for(exc, url)
        try:
            text = read_limited(response)
            status = response.status_code
            if 200 <= status < 300 or status in tuple(ok):
                try:
                    return status, json.loads(text) if text else None
                except ValueError:
                    return status, text
            raise self.transport.status_error(status, response.headers, text)
        finally:
            response.close()

    def stream(self, member_reader: Any, size: int) -> Any:
        """A file body that reports progress as it goes."""
        return _Counting(member_reader, size, self)


class _Watched:
    """A request body that notes when its last byte was read (then an answer is owed)."""

    def __init__(self, body: Any, on_done: Callable[[], None]) -> None:
        self._body = body
        self._on_done = on_done
        self.len = getattr(body, "len", None)

    def read(self, size: int = -1) -> bytes:
        data = self._body.read(size)
        if not data:
            self._on_done()
        return cast("bytes", data)

    def __len__(self) -> int:
        return int(self.len or 0)


class _Counting:
    def __init__(self, reader: Any, size: int, client: Client) -> None:
        self._reader = reader
        self.len = size
        self._client = client

    def read(self, size: int = -1) -> bytes:
        data = self._reader.read(size if size and size > 0 else _CHUNK)
        if data:
            self.len -= len(data)
            self._client.sent += len(data)
            self._client.progress(min(self._client.sent, self._client.total), self._client.total)
        return cast("bytes", data)


def lost_after_sending(exc: BaseException) -> bool:
    """No answer although the request went out: a read timeout, a reset, a closed connection."""
    import requests

    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return False
    if isinstance(exc, (requests.exceptions.ReadTimeout, requests.exceptions.ChunkedEncodingError)):
        return True
    from capture_app.core.platform.net import network_cause

    return network_cause(exc) in ("sending.net.reset", "sending.net.closed", "sending.net.timeout")


def multipart(fields: list[tuple[str, Any]]) -> Any:
    from requests_toolbelt.multipart.encoder import MultipartEncoder

    return MultipartEncoder(fields=fields)


# --- the profiles ------------------------------------------------------------------------------


class Profile:
    """One vendor's API. ``queue`` is the queue/group/service desk the agent was given."""

    key = ""
    can_lookup = True
    needs_queue = False  # the API refuses a ticket without a queue/group

    def __init__(self, queue: str = "", request_type: str = "") -> None:
        self.queue = (queue or "").strip()
        self.request_type = (request_type or "").strip()

    def uploads(self, members: list[Member]) -> list[Upload]:
        return [Upload(m, m.filename) for m in members]

    def priority(self, report: Report) -> Any:
        return PRIORITIES.get(self.key, {}).get(report.description.urgency or "",
                                                 PRIORITIES.get(self.key, {}).get(""))

    def find(self, client: Client, report: Report) -> Created | None:
        return None

    def create(self, client: Client, report: Report, title: str, body: str, contents: BundleContents,
               uploads: list[Upload]) -> Created:
        raise NotImplementedError

    def attach(self, client: Client, created: Created, contents: BundleContents,
               uploads: list[Upload]) -> None:
        """Add these files to the ticket (the read-back tells what arrived)."""
        raise NotImplementedError

    def files(self, client: Client, created: Created) -> dict[str, int]:
        """Name → size of every file the ticket has."""
        raise NotImplementedError

    def _queue_int(self) -> int:
        try:
            return int(self.queue)
        except ValueError:
            raise PermanentTransportError("sending.helpdesk.queue_number", queue=self.queue) from None


def _open(contents: BundleContents, upload: Upload) -> Any:
    return SizedReader(contents.open(upload.member.path), upload.size)


class DjangoHelpdesk(Profile):
    key = "django_helpdesk"
    needs_queue = True

    def uploads(self, members: list[Member]) -> list[Upload]:
        result: list[Upload] = []
        taken: set[str] = set()
        for member in members:
            name = member.filename
            suffix = PurePosixPath(name).suffix.lower()
            if suffix not in DJANGO_HELPDESK_EXTENSIONS and member.media_type.startswith(TEXT_TYPES):
                name += ".txt"  # kept as text; the helpdesk's filter drops .json/.log/.har
            from capture_app.core.platform.fsutil import unique_name

            name = unique_name(name, taken)
            taken.add(name)
            result.append(Upload(member, name))
        return result

    def find(self, client: Client, report: Report) -> Created | None:
        for page in range(1, LOOKUP_PAGES + 1):
            status, data = client.request("GET", "api/tickets/", params={"page": page, "page_size": 100},
                                          ok=(404,))
            if status == 404 or not isinstance(data, dict):
                return None
            for ticket in data.get("results") or []:
                if report.id in str(ticket.get("description", "")):
                    return Created(str(ticket["id"]))
            if not data.get("next"):
                return None
        return None

    def create(self, client: Any, report: Any, title: Any, body: Any, contents: Any, uploads: Any) -> Created:
        first = next((u for u in uploads
                      if PurePosixPath(u.name).suffix.lower() in DJANGO_HELPDESK_EXTENSIONS), None)
        fields: list[tuple[str, Any]] = [
            ("queue", str(self._queue_int())), ("title", title[:200]), ("description", body),
            ("priority", str(self.priority(report)))]
        if report.reporter.email:
            fields.append(("submitter_email", report.reporter.email))
        if first is not None:
            fields.append(("attachment", (first.name, client.stream(_open(contents, first), first.size),
                                          first.member.media_type)))
        encoder = multipart(fields)
        _status, data = client.request("POST", "api/tickets/", data=encoder,
                                       headers={"Content-Type": encoder.content_type},
                                       ambiguous_if_lost=True)
        ticket = str((data or {}).get("id", "")) if isinstance(data, dict) else ""
        if not ticket:
            raise AmbiguousError("sending.helpdesk.no_ticket_id", reason=str(data)[:200])
        return Created(ticket, attached={first.name} if first else set())

    def attach(self, client: Any, created: Any, contents: Any, uploads: Any) -> None:
        for upload in uploads:
            encoder = multipart([
                # No "title": a follow-up's title renames the whole ticket.
                ("ticket", created.ticket), ("comment", upload.name),
                ("public", "true"),
                ("attachments", (upload.name, client.stream(_open(contents, upload), upload.size),
                                 upload.member.media_type))])
            try:
                client.request("POST", "api/followups/", data=encoder,
                               headers={"Content-Type": encoder.content_type})
            except PermanentTransportError:
                continue  # refused (too large, type): the read-back names it as missing

    def files(self, client: Any, created: Any) -> dict[str, int]:
        _status, data = client.request("GET", f"api/tickets/{quote(created.ticket)}/")
        names: dict[str, int] = {}
        for followup in (data or {}).get("followup_set") or []:
            for attachment in followup.get("followupattachment_set") or []:
                names[str(attachment.get("filename"))] = int(attachment.get("size") or 0)
        return names


class Zendesk(Profile):
    key = "zendesk"

    def find(self, client: Any, report: Any) -> Created | None:
        _status, data = client.request("GET", "api/v2/tickets", params={"external_id": report.id})
        tickets = (data or {}).get("tickets") or [] if isinstance(data, dict) else []
        return Created(str(tickets[0]["id"])) if tickets else None

    def _upload(self, client: Any, contents: Any, upload: Any) -> str:
        reader = client.stream(_open(contents, upload), upload.size)
        _status, data = client.request("POST", "api/v2/uploads", data=reader,
                                       params={"filename": upload.name},
                                       headers={"Content-Type": upload.member.media_type or
                                                "application/octet-stream"})
        token = ((data or {}).get("upload") or {}).get("token") if isinstance(data, dict) else None
        if not token:
            raise TemporaryTransportError("sending.helpdesk.no_upload_token", name=upload.name)
        return str(token)

    def create(self, client: Any, report: Any, title: Any, body: Any, contents: Any, uploads: Any) -> Created:
        tokens = []
        for upload in uploads:
            try:
                tokens.append(self._upload(client, contents, upload))
            except PermanentTransportError:
                continue  # refused: the read-back names it as missing
        ticket: dict[str, Any] = {"subject": title, "comment": {"body": body, "uploads": tokens},
                                  "external_id": report.id, "priority": self.priority(report)}
        if report.reporter.email:
            ticket["requester"] = {"email": report.reporter.email,
                                   "name": report.reporter.name or report.reporter.email}
        if self.queue:
            try:
                ticket["group_id"] = int(self.queue)
            except ValueError:
                raise PermanentTransportError("sending.helpdesk.queue_number", queue=self.queue) from None
        _status, data = client.request("POST", "api/v2/tickets", json_body={"ticket": ticket},
                                       ambiguous_if_lost=True)
        number = str(((data or {}).get("ticket") or {}).get("id", "")) if isinstance(data, dict) else ""
        if not number:
            raise AmbiguousError("sending.helpdesk.no_ticket_id", reason=str(data)[:200])
        return Created(number, attached={u.name for u in uploads})

    def attach(self, client: Any, created: Any, contents: Any, uploads: Any) -> None:
        tokens = []
        for upload in uploads:
            try:
                tokens.append(self._upload(client, contents, upload))
            except PermanentTransportError:
                continue
        if tokens:
            client.request("PUT", f"api/v2/tickets/{quote(created.ticket)}",
                           json_body={"ticket": {"comment": {"body": "Anhänge", "public": True,
                                                             "uploads": tokens}}})

    def files(self, client: Any, created: Any) -> dict[str, int]:
        _status, data = client.request("GET", f"api/v2/tickets/{quote(created.ticket)}/comments")
        names: dict[str, int] = {}
        for comment in (data or {}).get("comments") or []:
            for attachment in comment.get("attachments") or []:
                names[str(attachment.get("file_name"))] = int(attachment.get("size") or 0)
        return names


class Freshdesk(Profile):
    key = "freshdesk"

    @staticmethod
    def tag(report: Report) -> str:
        return "report-" + report.id

    def find(self, client: Any, report: Any) -> Created | None:
        _status, data = client.request("GET", "api/v2/search/tickets",
                                       params={"query": f"\"tag:'{self.tag(report)}'\""})
        results = (data or {}).get("results") or [] if isinstance(data, dict) else []
        return Created(str(results[0]["id"])) if results else None

    def _fields(self, client: Any, contents: Any, uploads: Any) -> list[tuple[str, Any]]:
        return [("attachments[]", (u.name, client.stream(_open(contents, u), u.size), u.member.media_type))
                for u in uploads]

    def create(self, client: Any, report: Any, title: Any, body: Any, contents: Any, uploads: Any) -> Created:
        import html

        fields: list[tuple[str, Any]] = [
            ("subject", title), ("description", "<pre>" + html.escape(body) + "</pre>"),
            ("email", report.reporter.email or "unbekannt@example.invalid"),
            ("priority", str(self.priority(report))), ("status", "2"), ("tags[]", self.tag(report))]
        if self.queue:
            fields.append(("group_id", str(self._queue_int())))
        fields += self._fields(client, contents, uploads)
        encoder = multipart(fields)
        _status, data = client.request("POST", "api/v2/tickets", data=encoder,
                                       headers={"Content-Type": encoder.content_type},
                                       ambiguous_if_lost=True)
        number = str((data or {}).get("id", "")) if isinstance(data, dict) else ""
        if not number:
            raise AmbiguousError("sending.helpdesk.no_ticket_id", reason=str(data)[:200])
        return Created(number, attached={str(a.get("name")) for a in (data.get("attachments") or [])})

    def attach(self, client: Any, created: Any, contents: Any, uploads: Any) -> None:
        encoder = multipart([("body", "Anhänge"), *self._fields(client, contents, uploads)])
        client.request("POST", f"api/v2/tickets/{quote(created.ticket)}/notes", data=encoder,
                       headers={"Content-Type": encoder.content_type})

    def files(self, client: Any, created: Any) -> dict[str, int]:
        _status, data = client.request("GET", f"api/v2/tickets/{quote(created.ticket)}",
                                       params={"include": "conversations"})
        names = {str(a.get("name")): int(a.get("size") or 0) for a in (data or {}).get("attachments") or []}
        for note in (data or {}).get("conversations") or []:
            for a in note.get("attachments") or []:
                names[str(a.get("name"))] = int(a.get("size") or 0)
        return names


class JiraServiceManagement(Profile):
    key = "jira_service_management"
    needs_queue = True

    @staticmethod
    def marker(report: Report) -> str:
        return "RC-" + report.id.replace("-", "")[:12]

    def find(self, client: Any, report: Any) -> Created | None:
        _status, data = client.request("GET", "rest/servicedeskapi/request",
                                       params={"searchTerm": self.marker(report),
                                               "requestOwnership": "ALL_REQUESTS"})
        for request in (data or {}).get("values") or [] if isinstance(data, dict) else []:
            summary = next((f.get("value") for f in request.get("requestFieldValues") or []
                            if f.get("fieldId") == "summary"), "")
            if self.marker(report) in str(summary):
                return Created(str(request.get("issueKey")), str(request.get("issueKey")))
        return None

    def create(self, client: Any, report: Any, title: Any, body: Any, contents: Any, uploads: Any) -> Created:
        if not self.request_type:
            raise PermanentTransportError("sending.helpdesk.request_type_missing")
        payload = {"serviceDeskId": self.queue, "requestTypeId": self.request_type,
                   "requestFieldValues": {"summary": f"{title[:230]} [{self.marker(report)}]",
                                          "description": body}}
        _status, data = client.request("POST", "rest/servicedeskapi/request", json_body=payload,
                                       ambiguous_if_lost=True)
        key = str((data or {}).get("issueKey", "")) if isinstance(data, dict) else ""
        if not key:
            raise AmbiguousError("sending.helpdesk.no_ticket_id", reason=str(data)[:200])
        return Created(key, key)

    def attach(self, client: Any, created: Any, contents: Any, uploads: Any) -> None:
        temporary = []
        for upload in uploads:
            encoder = multipart([("file", (upload.name, client.stream(_open(contents, upload), upload.size),
                                           upload.member.media_type))])
            try:
                _status, data = client.request(
                    "POST", f"rest/servicedeskapi/servicedesk/{quote(self.queue)}/attachTemporaryFile",
                    data=encoder, headers={"Content-Type": encoder.content_type,
                                           "X-Atlassian-Token": "no-check",
                                           "X-ExperimentalApi": "opt-in"})
            except PermanentTransportError:
                continue
            for entry in (data or {}).get("temporaryAttachments") or []:
                temporary.append(entry.get("temporaryAttachmentId"))
        if temporary:
            client.request("POST", f"rest/servicedeskapi/request/{quote(created.ticket)}/attachment",
                           json_body={"temporaryAttachmentIds": temporary, "public": True})

    def files(self, client: Any, created: Any) -> dict[str, int]:
        _status, data = client.request("GET", f"rest/servicedeskapi/request/{quote(created.ticket)}/attachment")
        return {str(a.get("filename")): int(a.get("size") or 0) for a in (data or {}).get("values") or []}


class Zammad(Profile):
    key = "zammad"
    needs_queue = True

    def find(self, client: Any, report: Any) -> Created | None:
        _status, data = client.request("GET", "api/v1/tickets/search",
                                       params={"query": f"\"{report.id}\"", "limit": 5})
        tickets = data if isinstance(data, list) else (data or {}).get("tickets") or []
        for ticket in tickets:
            if isinstance(ticket, dict):
                return Created(str(ticket.get("id")), str(ticket.get("number") or ticket.get("id")))
            return Created(str(ticket))
        return None

    def _attachments(self, contents: Any, uploads: Any) -> list[dict[str, Any]]:
        return [{"filename": u.name, "mime-type": u.member.media_type,
                 "data": base64.b64encode(contents.read(u.member.path)).decode("ascii")} for u in uploads]

    def create(self, client: Any, report: Any, title: Any, body: Any, contents: Any, uploads: Any) -> Created:
        customer = report.reporter.email or "unbekannt@example.invalid"
        payload = {"title": title, "group": self.queue,
                   "customer_id": f"guess:{customer}",
                   "priority": self.priority(report),
                   "article": {"subject": title, "body": body, "type": "note", "internal": False,
                               "content_type": "text/plain",
                               "attachments": self._attachments(contents, uploads)}}
        client.total = max(client.total, 1)
        _status, data = client.request("POST", "api/v1/tickets", json_body=payload, ambiguous_if_lost=True)
        client.progress(client.total, client.total)
        ticket = str((data or {}).get("id", "")) if isinstance(data, dict) else ""
        if not ticket:
            raise AmbiguousError("sending.helpdesk.no_ticket_id", reason=str(data)[:200])
        return Created(ticket, str(data.get("number") or ticket), attached={u.name for u in uploads})

    def attach(self, client: Any, created: Any, contents: Any, uploads: Any) -> None:
        client.request("POST", "api/v1/ticket_articles", json_body={
            "ticket_id": int(created.ticket) if created.ticket.isdigit() else created.ticket,
            "subject": "Anhänge", "body": "Anhänge", "type": "note", "internal": False,
            "content_type": "text/plain", "attachments": self._attachments(contents, uploads)})

    def files(self, client: Any, created: Any) -> dict[str, int]:
        _status, data = client.request("GET", f"api/v1/ticket_articles/by_ticket/{quote(created.ticket)}")
        names: dict[str, int] = {}
        for article in data if isinstance(data, list) else []:
            for attachment in article.get("attachments") or []:
                names[str(attachment.get("filename"))] = int(attachment.get("size") or 0)
        return names


PROFILE_CLASSES: dict[str, type[Profile]] = {
    p.key: p for p in (DjangoHelpdesk, Zendesk, Freshdesk, JiraServiceManagement, Zammad)}


def make_profile(key: str, queue: str = "", request_type: str = "") -> Profile:
    try:
        return PROFILE_CLASSES[key](queue, request_type)
    except KeyError:
        raise PermanentTransportError("sending.helpdesk.profile_unknown", profile=key) from None


# --- sending through a profile ----------------------------------------------------------------


def send_with_profile(transport: Any, profile: Profile, bundle_path: Path, report: Report,
                      progress: Progress = no_progress, history: History = History()) -> Receipt:
    """Create (or find) the ticket, attach every file, verify them; the receipt or an error."""
    if profile.needs_queue and not profile.queue:
        raise PermanentTransportError("sending.helpdesk.queue_missing")
    settings = transport.settings
    read_timeout = settings.read_timeout
    if history.ambiguous:
        # The last answer never came: give the server more time, growing with each attempt.
        read_timeout = min(AMBIGUOUS_TIMEOUT_CAP, read_timeout * (2 + history.attempts))
    client = Client(transport, settings.endpoint.strip(), read_timeout, progress)
    tickets: list[str] = list(history.tickets)
    with BundleContents(bundle_path) as contents:
        members = [*contents.attachments(), contents.manifest_member()]
        uploads = profile.uploads(members)
        client.total = sum(u.size for u in uploads) or 1
        progress(0, client.total)
        title = subject_for(report, settings.organisation)
        body = contents.body_text()
        created = None
        if (history.ambiguous or history.tickets) and profile.can_lookup:
            created = _guarded(lambda: profile.find(client, report), tickets)
        if created is None:
            try:
                created = profile.create(client, report, title, body, contents, uploads)
            except TransportError as exc:
                exc.tickets = tuple(tickets)
                raise
        tickets.append(created.number or created.ticket)
        try:
            present = profile.files(client, created)
            missing = [u for u in uploads if u.name not in present]
            if missing:
                profile.attach(client, created, contents, missing)
                present = profile.files(client, created)
                missing = [u for u in uploads if u.name not in present]
        except TransportError as exc:
            exc.tickets = tuple(dict.fromkeys(tickets))
            raise
        tickets = list(dict.fromkeys(tickets))
        reference = created.number or created.ticket
        if missing:
            raise _IncompleteError(reference, missing, len(uploads), tuple(tickets))
        progress(client.total, client.total)
        files = tuple((u.name, u.size, u.member.sha256) for u in uploads)
        return Receipt(transport.name, display(settings.endpoint), iso(transport.clock()), reference,
                       file_sha256(Path(bundle_path)), client.sent, files, tuple(tickets))


def _guarded(find: Callable[[], Created | None], tickets: list[str]) -> Created | None:
    try:
        return find()
    except TransportError as exc:
        exc.tickets = tuple(tickets)
        raise


class _IncompleteError(PermanentTransportError):
    def __init__(self, ticket: str, missing: list[Upload], total: int, tickets: tuple[str, ...]) -> None:
        names = ", ".join(u.name for u in missing[:6]) + (" …" if len(missing) > 6 else "")
        super().__init__("sending.helpdesk.files_missing", ticket=ticket, missing=len(missing),
                         total=total, names=names)
        self.tickets = tickets
