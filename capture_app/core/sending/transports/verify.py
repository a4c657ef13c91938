"""Checking a generic intake's ticket for the files that were sent.

A 2xx answer only says the intake took the request; many intakes keep some files and silently
drop others (one file per create, a type filter, a size limit). The organisation tells the app
where the server lists what it stored:

``files_path``      where the create answer (and the read-back answer) lists the stored files: a
                    JSON path to a list (``ticket.attachments``, ``data[0].files``); empty with a
                    read-back URL: the read-back answer is the list itself
``file_*_field``    in each listed entry, the field with the file's name (and, where the server
                    gives them, its size in bytes and its SHA-256)
``readback_url``    a URL to read the ticket's files back (``{base}/api/tickets/{ticket}/files``,
                    ``{endpoint}?report={report}``); asked after creating when the answer does not
                    list them, after uploading missing files, and before creating again on a retry
                    of a report whose ticket is known
``upload_url``      where a missing file is uploaded again (``{endpoint}/{ticket}/attachments``),
                    one multipart POST per file

Placeholders: ``{base}`` scheme, host and port of the intake address; ``{endpoint}`` the intake
address; ``{ticket}`` the ticket number from the answer; ``{report}`` the report id. Read-back and
upload addresses must be on the intake's server: the credentials go along.

A file counts as arrived when an entry has its name (and the same size and hash where those
fields are configured). Without any of this configured, a 2xx makes a report *accepted, files
not checked* — never plainly sent.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from capture_app.core.sending.transports.base import PermanentTransportError

# Why the files of an accepted report were not checked (message keys, kept with the receipt).
UNCHECKED_NOT_CONFIGURED = "sending.verify.not_configured"
UNCHECKED_NO_LIST = "sending.verify.no_list"

_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_PLACEHOLDERS = ("{base}", "{endpoint}", "{ticket}", "{report}")


@dataclass(frozen=True)
class Listing:
    """Where and how a server lists the files it stored."""

    files_path: str = ""
    name_field: str = "name"
    size_field: str = ""
    sha256_field: str = ""
    readback_url: str = ""
    upload_url: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.files_path.strip() or self.readback_url.strip())

    @property
    def reuses_ticket(self) -> bool:
        """A retry can read the known ticket back and upload only what it lacks."""
        return "{ticket}" in self.readback_url and bool(self.upload_url.strip())


@dataclass(frozen=True)
class Stored:
    name: str
    size: int | None = None
    sha256: str = ""


def node_at(data: Any, path: str) -> Any:
    """The value at a JSON path (``files``, ``ticket.attachments``, ``data[0].files``, ``$``)."""
    path = (path or "").strip()
    if path.startswith("$"):
        path = path[1:].lstrip(".")
    node = data
    for name, index in _PATH_PART.findall(path):
        if index or (name.isdigit() and isinstance(node, list)):
            position = int(index or name)
            if not isinstance(node, list) or position >= len(node):
                return None
            node = node[position]
        elif isinstance(node, dict) and name in node:
            node = node[name]
        else:
            return None
    return node


def stored_files(text: str, listing: Listing) -> list[Stored] | None:
    """The files an answer lists, or ``None`` when it has no list where the listing says."""
    try:
        data = json.loads(text) if text else None
    except ValueError:
        return None
    node = node_at(data, listing.files_path)
    if not isinstance(node, list):
        return None
    result = []
    for entry in node:
        if not isinstance(entry, dict):
            continue
        name = entry.get(listing.name_field or "name")
        if not isinstance(name, str) or not name:
            continue
        size = entry.get(listing.size_field) if listing.size_field else None
        digest = entry.get(listing.sha256_field) if listing.sha256_field else ""
        result.append(Stored(name, _int_or_none(size), str(digest or "").lower()))
    return result


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def missing(sent: tuple[tuple[str, int, str], ...], stored: list[Stored],
            listing: Listing) -> list[tuple[str, int, str]]:
    """The sent files (name, size, SHA-256) the stored list does not have intact."""
    result = []
    for name, size, digest in sent:
        if not any(_matches(entry, name, size, digest, listing) for entry in stored):
            result.append((name, size, digest))
    return result


def _matches(entry: Stored, name: str, size: int, digest: str, listing: Listing) -> bool:
    if entry.name != name:
        return False
    if listing.size_field and entry.size is not None and entry.size != int(size):
        return False
    return not (listing.sha256_field and entry.sha256 and entry.sha256 != digest.lower())


def expand(template: str, endpoint: str, ticket: str, report_id: str) -> str:
    """A read-back or upload address from its template; refused when it leaves the server."""
    from capture_app.core.platform.net import same_origin, url_problem
    from capture_app.core.sending.transports.wire import display

    parts = urlsplit(endpoint)
    values = {"{base}": f"{parts.scheme}://{parts.netloc}", "{endpoint}": endpoint.rstrip("/"),
              "{ticket}": quote(ticket, safe=""), "{report}": quote(report_id, safe="")}
    url = template.strip()
    for placeholder in _PLACEHOLDERS:
        url = url.replace(placeholder, values[placeholder])
    if url_problem(url) or not same_origin(url, endpoint):
        raise PermanentTransportError("sending.verify.foreign_url", url=display(url)[:200],
                                      endpoint=display(endpoint))
    return url


class FilesMissing(PermanentTransportError):
    """The ticket exists, but files are not on it even after uploading them again."""

    def __init__(self, ticket: str, lost: list[tuple[str, int, str]], total: int,
                 tickets: tuple[str, ...], reusable: bool) -> None:
        names = ", ".join(name for name, _s, _d in lost[:6]) + (" …" if len(lost) > 6 else "")
        # Retrying helps only where the ticket can be read back and added to; otherwise it would
        # create a second ticket, and the agent is told to attach the files by hand.
        key = "sending.helpdesk.files_missing" if reusable else "sending.verify.files_missing"
        super().__init__(key, ticket=ticket, missing=len(lost), total=total, names=names)
        self.tickets = tickets


@dataclass
class Check:
    """Checks one ticket of a generic intake: ``transport`` is the HttpTransport."""

    transport: Any
    endpoint: str
    report_id: str
    read_timeout: float

    @property
    def listing(self) -> Listing:
        return self.transport.settings.listing  # type: ignore[no-any-return]

    def _client(self) -> Any:
        from capture_app.core.sending.transports.base import no_progress
        from capture_app.core.sending.transports.helpdesk import Client

        return Client(self.transport, self.endpoint, self.read_timeout, no_progress)

    def read_back(self, ticket: str) -> tuple[bool, list[Stored] | None]:
        """(whether the server knows the ticket, the files it lists for it) from the read-back
        address; the list is ``None`` without a read-back address or without a list in the
        answer, and the ticket counts as unknown only when the server says so (404, 410)."""
        if not self.listing.readback_url.strip():
            return True, None
        url = expand(self.listing.readback_url, self.endpoint, ticket, self.report_id)
        status, data = self._client().request("GET", url, ok=(404, 410))
        if status in (404, 410):
            return False, None
        text = data if isinstance(data, str) else json.dumps(data)
        return True, stored_files(text, self.listing)

    def upload(self, ticket: str, contents: Any, lost: list[tuple[str, int, str]]) -> list[Stored]:
        """Upload the lost files again, one request each; what the answers list as stored."""
        from capture_app.core.sending.transports.helpdesk import multipart

        url = expand(self.listing.upload_url, self.endpoint, ticket, self.report_id)
        field = self.transport.settings.fields.files or "file"
        listed: list[Stored] = []
        for name, _size, _digest in lost:
            source = contents.get(name)
            if source is None:
                continue
            encoder = multipart([(field, (name, source[0](), source[1]))])
            try:
                _status, data = self._client().request(
                    "POST", url, data=encoder, headers={"Content-Type": encoder.content_type})
            except PermanentTransportError:
                continue  # refused (size, type): stays missing and is named
            text = data if isinstance(data, str) else json.dumps(data)
            listed += stored_files(text, self.listing) or []
        return listed

    def settle(self, ticket: str, stored: list[Stored], sent: tuple[tuple[str, int, str], ...],
               contents: Any, tickets: tuple[str, ...]) -> None:
        """Upload what ``stored`` lacks where that is configured; raise ``FilesMissing`` for what
        is still not there."""
        lost = missing(sent, stored, self.listing)
        if lost and self.listing.upload_url.strip():
            answered = self.upload(ticket, contents, lost)
            _known, again = self.read_back(ticket)
            lost = missing(tuple(lost), again if again is not None else answered, self.listing)
        if lost:
            raise FilesMissing(ticket, lost, len(sent), tickets, self.listing.reuses_ticket)
