"""Hosted ticket systems on 127.0.0.1: the requests their API references document, answered with
the vendors' recorded example answers (Zendesk, Freshdesk, Jira Service Management, Zammad).

Every successful answer starts from a file in ``recorded/<vendor>/`` (where each came from is in
``recorded/README.md``) and only the values of this ticket are filled in: ids, numbers, subject,
text, and the list of files — each file entry made from the recorded attachment entry. Fields the
recording has and this server knows nothing about stay as recorded.

Only what a report needs is implemented — create, attach, look up, read back — with the checks
the real services make on those calls (authentication, required fields, the XSRF header Jira
wants on uploads, Freshdesk's 20 MB attachment total). Tickets and their files are kept in
memory for the tests to look at: ``server.tickets`` (id → {"fields": …, "files": [(name, bytes)]}).
"""
from __future__ import annotations

import base64
import functools
import hashlib
import json
import threading
from email.parser import BytesParser
from email.policy import HTTP as HTTP_POLICY
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

FRESHDESK_ATTACHMENT_TOTAL = 20 * 1024 * 1024
RECORDED = Path(__file__).resolve().parent / "recorded"


@functools.cache
def _recorded_text(vendor: str, name: str) -> str:
    return (RECORDED / vendor / name).read_text(encoding="utf-8")


def recorded(vendor: str, name: str):
    """A fresh copy of a recorded answer, to fill in."""
    return json.loads(_recorded_text(vendor, name))


def _multipart(content_type: str, body: bytes) -> list[tuple[str, str | None, str, bytes]]:
    message = BytesParser(policy=HTTP_POLICY).parsebytes(
        f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode() + body)
    parts = []
    for part in message.iter_parts():
        params = dict(part["Content-Disposition"].params) if part.get("Content-Disposition") else {}
        parts.append((params.get("name", ""), params.get("filename"), part.get_content_type(),
                      part.get_payload(decode=True) or b""))
    return parts


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *args) -> None:
        pass

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _send(self, status: int, payload) -> None:
        data = json.dumps(payload).encode() if payload is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _route(self, method: str) -> None:
        owner = self.server.owner
        body = self._body() if method in ("POST", "PUT") else b""
        if self.headers.get("Authorization") != owner.expected_auth:
            self._send(401, owner.unauthorised())
            return
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        with owner.lock:
            owner.requests.append((method, parts.path))
            status, payload = owner.handle(method, unquote(parts.path), query, body,
                                           self.headers.get("Content-Type", ""), self.headers)
        self._send(status, payload)

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def do_PUT(self) -> None:
        self._route("PUT")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass


class HostedHelpdesk:
    """Base: start with ``with Zendesk() as server:``; ``server.url`` is the base address."""

    vendor = ""
    user = "agent@example-bank.de"
    token = "tok-7f3a9c1e-hosted"

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.tickets: dict[str, dict] = {}
        self.requests: list[tuple[str, str]] = []
        self._next = 1000

    @property
    def expected_auth(self) -> str:
        return "Basic " + base64.b64encode(f"{self.user}:{self.token}".encode()).decode()

    def unauthorised(self):
        return {"error": "Couldn't authenticate you"}

    def new_id(self) -> int:
        self._next += 1
        return self._next

    def __enter__(self):
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def files_of(self, ticket_id) -> dict[str, str]:
        """name → SHA-256 of every file the ticket has."""
        return {name: hashlib.sha256(data).hexdigest()
                for name, data in self.tickets[str(ticket_id)]["files"]}

    def handle(self, method, path, query, body, content_type, headers):
        raise NotImplementedError


class Zendesk(HostedHelpdesk):
    """developer.zendesk.com: Ticket Attachments (uploads), Tickets, Ticket Comments."""

    vendor = "zendesk"
    user = "agent@example-bank.de/token"

    def __init__(self) -> None:
        super().__init__()
        self.uploads: dict[str, tuple[str, bytes, str]] = {}

    @staticmethod
    def _attachment(attachment_id: int, name: str, data: bytes, content_type: str) -> dict:
        entry = recorded("zendesk", "attachment.json")["attachment"]
        entry.update({"id": attachment_id, "file_name": name, "size": len(data), "content_type": content_type,
                      "content_url": f"https://company.zendesk.com/attachments/{name}",
                      "url": f"https://company.zendesk.com/api/v2/attachments/{attachment_id}.json"})
        return entry

    def _ticket(self, template: dict, number: str) -> dict:
        fields = self.tickets[number]["fields"]
        template.update({"id": int(number), "url": f"https://example.zendesk.com/api/v2/tickets/{number}.json",
                         "external_id": fields.get("external_id"), "subject": fields.get("subject"),
                         "raw_subject": fields.get("subject"),
                         "description": (fields.get("comment") or {}).get("body"),
                         "priority": fields.get("priority"), "status": "new", "group_id": fields.get("group_id")})
        return template

    def _upload(self, query, body, content_type):
        name = query.get("filename", "")
        token = f"upl{self.new_id()}vz7ll9ud8oofowy"
        self.uploads[token] = (name, body, content_type)
        answer = recorded("zendesk", "upload.json")
        upload = answer["upload"]
        upload["token"] = token
        upload["attachment"].update({"id": self.new_id(), "name": name, "content_type": content_type,
                                     "size": len(body),
                                     "content_url": f"https://company.zendesk.com/attachments/{name}"})
        upload["attachments"] = [dict(upload["attachment"])]
        return 201, answer

    def _comment(self, comment: dict) -> dict:
        files = [self.uploads.pop(t) for t in comment.get("uploads") or [] if t in self.uploads]
        return {"body": comment.get("body", ""), "files": files}

    def _create(self, body):
        ticket = json.loads(body)["ticket"]
        comment = ticket.get("comment") or {}
        if not comment.get("body"):
            return 422, {"error": "RecordInvalid", "description": "Record validation errors",
                         "details": {"base": [{"description": "Description: cannot be blank"}]}}
        number = str(self.new_id())
        first = self._comment(comment)
        self.tickets[number] = {"fields": ticket, "files": [f[:2] for f in first["files"]], "comments": [first]}
        answer = recorded("zendesk", "ticket_created.json")
        self._ticket(answer["ticket"], number)
        answer["audit"].update({"id": self.new_id(), "ticket_id": int(number)})
        for event in answer["audit"]["events"]:
            if event.get("type") == "Create" and event.get("field_name") in ("subject", "priority"):
                event["value"] = ticket.get(event["field_name"])
            if event.get("type") == "Comment":
                event.update({"body": first["body"], "plain_body": first["body"],
                              "attachments": [self._attachment(self.new_id(), *f) for f in first["files"]]})
        return 201, answer

    def _lookup(self, query):
        answer = recorded("zendesk", "tickets.json")
        template = answer["tickets"][0]
        answer["tickets"] = [self._ticket(dict(template), n) for n, t in self.tickets.items()
                             if t["fields"].get("external_id") == query.get("external_id")]
        answer["count"] = len(answer["tickets"])
        return 200, answer

    def _comments(self, number):
        answer = recorded("zendesk", "ticket_comments.json")
        template = answer["comments"][0]
        answer["comments"] = [
            dict(template, id=i, body=c["body"], plain_body=c["body"],
                 attachments=[self._attachment(1000 * i + j, *f) for j, f in enumerate(c["files"], 1)])
            for i, c in enumerate(self.tickets[number]["comments"], 1)]
        answer["meta"].update({"has_more": False, "after_cursor": None, "before_cursor": None})
        return 200, answer

    def _update(self, number, body):
        comment = self._comment(json.loads(body)["ticket"].get("comment") or {})
        self.tickets[number]["comments"].append(comment)
        self.tickets[number]["files"] += [f[:2] for f in comment["files"]]
        answer = recorded("zendesk", "ticket_updated.json")
        self._ticket(answer["ticket"], number)
        return 200, answer

    def handle(self, method, path, query, body, content_type, headers):
        if method == "POST" and path == "/api/v2/uploads":
            return self._upload(query, body, content_type)
        if method == "POST" and path == "/api/v2/tickets":
            return self._create(body)
        if method == "GET" and path == "/api/v2/tickets":
            return self._lookup(query)
        if path.startswith("/api/v2/tickets/"):
            number = path.split("/")[4]
            if number not in self.tickets:
                return 404, {"error": "RecordNotFound", "description": "Not found"}
            if method == "GET" and path.endswith("/comments"):
                return self._comments(number)
            if method == "PUT":
                return self._update(number, body)
        return 404, {"error": "InvalidEndpoint", "description": "Not found"}


class Freshdesk(HostedHelpdesk):
    """developers.freshdesk.com/api: Create a Ticket with attachments, Filter Tickets, Notes."""

    vendor = "freshdesk"
    user = "tok-7f3a9c1e-hosted"
    token = "X"

    def unauthorised(self):
        return {"code": "invalid_credentials", "message": "You have to be logged in to perform this action."}

    def _attachments(self, parts):
        template = recorded("freshdesk", "ticket.json")["attachments"][0]
        files, listed = [], []
        for _name, filename, ctype, data in (p for p in parts if p[0] == "attachments[]"):
            files.append((filename, data))
            listed.append(dict(template, id=self.new_id(), name=filename, content_type=ctype, file_size=len(data),
                               attachment_url=f"https://cdn.freshdesk.com/data/helpdesk/attachments/{filename}"))
        return files, listed

    def _view(self, number: str, template: dict | None = None) -> dict:
        ticket = self.tickets[number]
        fields = ticket["fields"]
        view = template if template is not None else recorded("freshdesk", "ticket.json")
        view.update({"id": int(number), "subject": fields.get("subject"), "tags": ticket["tags"],
                     "description": fields.get("description"), "description_text": fields.get("description"),
                     "priority": int(fields.get("priority", 1)), "status": int(fields.get("status", 2)),
                     "group_id": int(fields["group_id"]) if fields.get("group_id") else None,
                     "attachments": ticket["listed"]})
        if isinstance(view.get("requester"), dict):
            view["requester"]["email"] = fields.get("email")
        return view

    def _note(self, number: str, listed: list, body: str) -> dict:
        note = recorded("freshdesk", "note.json")
        note.update({"id": self.new_id(), "ticket_id": int(number), "body": body, "body_text": body,
                     "private": False, "attachments": listed})
        return note

    def _create(self, body, content_type):
        parts = _multipart(content_type, body)
        fields = {name: data.decode() for name, filename, _c, data in parts if filename is None}
        tags = [data.decode() for name, filename, _c, data in parts if name == "tags[]"]
        errors = [{"field": f, "message": "It should not be blank as this is a mandatory field",
                   "code": "missing_field"} for f in ("subject", "description", "email") if not fields.get(f)]
        files, listed = self._attachments(parts)
        if sum(len(d) for _n, d in files) > FRESHDESK_ATTACHMENT_TOTAL:
            errors.append({"field": "attachments", "message": "The cumulative size of all attachments exceeds 20MB",
                           "code": "invalid_size"})
        if errors:
            return 400, {"description": "Validation failed", "errors": errors}
        number = str(self.new_id())
        self.tickets[number] = {"fields": fields, "tags": tags, "files": files, "listed": listed, "notes": []}
        return 201, self._view(number)

    def _search(self, query):
        answer = recorded("freshdesk", "search_tickets.json")
        template = answer["results"][0]
        wanted = query.get("query", "")
        answer["results"] = [self._view(n, dict(template)) for n, t in self.tickets.items()
                             if any(f"tag:'{tag}'" in wanted for tag in t["tags"])]
        answer["total"] = len(answer["results"])
        return 200, answer

    def handle(self, method, path, query, body, content_type, headers):
        if method == "POST" and path == "/api/v2/tickets":
            return self._create(body, content_type)
        if method == "GET" and path == "/api/v2/search/tickets":
            return self._search(query)
        if not path.startswith("/api/v2/tickets/"):
            return 404, None
        number = path.split("/")[4]
        if number not in self.tickets:
            return (404, {"code": "access_denied"}) if method == "POST" else (404, None)
        if method == "POST" and path.endswith("/notes"):
            parts = _multipart(content_type, body)
            files, listed = self._attachments(parts)
            text = next((d.decode() for n, f, _c, d in parts if n == "body" and f is None), "")
            note = self._note(number, listed, text)
            self.tickets[number]["files"] += files
            self.tickets[number]["notes"].append(note)
            return 201, note
        if method == "GET":
            view = self._view(number)
            if query.get("include") == "conversations":
                view["conversations"] = list(self.tickets[number]["notes"])
            return 200, view
        return 404, None


class JiraServiceManagement(HostedHelpdesk):
    """developer.atlassian.com/cloud/jira/service-desk/rest: request, attachTemporaryFile,
    request attachment."""

    vendor = "jira_service_management"
    service_desk = "3"
    request_type = "25"

    def __init__(self) -> None:
        super().__init__()
        self.temporary: dict[str, tuple[str, bytes]] = {}

    def unauthorised(self):
        return {"errorMessage": "Client must be authenticated to access this resource.", "i18nErrorMessage": None}

    def _request(self, key: str, template: dict | None = None) -> dict:
        ticket = self.tickets[key]
        values = ticket["fields"]["requestFieldValues"]
        request = template if template is not None else recorded(self.vendor, "request.json")
        request.update({"issueId": ticket["issue_id"], "issueKey": key, "requestTypeId": self.request_type,
                        "serviceDeskId": self.service_desk})
        for field in request["requestFieldValues"]:
            if field.get("fieldId") in values:
                field["value"] = values[field["fieldId"]]
                field.pop("renderedValue", None)
        request["_links"] = {name: link.replace("107001", ticket["issue_id"]).replace("HELPDESK-1", key)
                                       .replace("/portal/10/", f"/portal/{self.service_desk}/")
                             for name, link in request["_links"].items()}
        return request

    def _listing(self, key: str) -> dict:
        listing = recorded(self.vendor, "attachment_created.json")["attachments"]
        template = listing["values"][0]
        listing["values"] = [
            dict(template, filename=name, size=len(data), mimeType="application/octet-stream",
                 _links={"content": f"https://your-domain.atlassian.net/servicedesk/customershim/secure/"
                                    f"attachment/{10000 + i}/{name}"})
            for i, (name, data) in enumerate(self.tickets[key]["files"])]
        listing.update({"size": len(listing["values"]), "start": 0, "limit": 50, "isLastPage": True})
        for link in ("next", "prev"):
            listing["_links"].pop(link, None)
        return listing

    def _create(self, body):
        data = json.loads(body)
        if str(data.get("serviceDeskId")) != self.service_desk or str(data.get("requestTypeId")) != self.request_type:
            return 400, {"errorMessage": "The request type you are trying to use does not exist.",
                         "i18nErrorMessage": {"i18nKey": "sd.request.create.error.reqtype.invalid", "parameters": []}}
        number = self.new_id()
        key = f"HELPDESK-{number}"
        self.tickets[key] = {"fields": data, "files": [], "issue_id": str(number)}
        return 201, self._request(key)

    def _search(self, query):
        answer = recorded(self.vendor, "requests.json")
        template = answer["values"][0]
        term = query.get("searchTerm", "")
        answer["values"] = [self._request(k, json.loads(json.dumps(template))) for k, t in self.tickets.items()
                            if term and term in str(t["fields"]["requestFieldValues"].get("summary"))]
        answer.update({"size": len(answer["values"]), "start": 0, "limit": 50, "isLastPage": True})
        for link in ("next", "prev"):
            answer["_links"].pop(link, None)
        return 200, answer

    def _temporary(self, content_type, body):
        answer = recorded(self.vendor, "temporary_attachments.json")
        template = answer["temporaryAttachments"][0]
        answer["temporaryAttachments"] = []
        for _name, filename, _ctype, data in _multipart(content_type, body):
            temp = f"temp{self.new_id()}8186986881700442965"
            self.temporary[temp] = (filename, data)
            answer["temporaryAttachments"].append(dict(template, temporaryAttachmentId=temp, fileName=filename))
        return 201, answer

    def handle(self, method, path, query, body, content_type, headers):
        if method == "POST" and path == "/rest/servicedeskapi/request":
            return self._create(body)
        if method == "GET" and path == "/rest/servicedeskapi/request":
            return self._search(query)
        if method == "POST" and path.endswith("/attachTemporaryFile"):
            if headers.get("X-Atlassian-Token") != "no-check":
                return 403, {"errorMessage": "XSRF check failed"}
            return self._temporary(content_type, body)
        if path.startswith("/rest/servicedeskapi/request/") and path.endswith("/attachment"):
            key = path.split("/")[4]
            if key not in self.tickets:
                return 404, {"errorMessage": "Request does not exist."}
            if method == "GET":
                return 200, self._listing(key)
            if method == "POST":
                data = json.loads(body)
                self.tickets[key]["files"] += [self.temporary.pop(t) for t in data.get("temporaryAttachmentIds") or []
                                               if t in self.temporary]
                answer = recorded(self.vendor, "attachment_created.json")
                answer["comment"].update({"body": "", "public": bool(data.get("public"))})
                answer["attachments"] = self._listing(key)
                return 201, answer
        return 404, {"errorMessage": "null for uri"}


class Zammad(HostedHelpdesk):
    """docs.zammad.org/en/latest/api: ticket create with article attachments, search,
    articles by ticket."""

    vendor = "zammad"
    group = "2nd Level"

    @property
    def expected_auth(self) -> str:
        return f"Token token={self.token}"

    def unauthorised(self):
        return {"error": "Authentication required"}

    def _article(self, number: str, article_id: int, article: dict, answer: dict | None = None) -> dict:
        """An article as Zammad shows it: ``answer`` is the recorded article to fill in (the
        answer to a create by default); the file entries follow the recorded attachment entry."""
        template = recorded("zammad", "article_created.json")["attachments"][0]
        answer = answer if answer is not None else recorded("zammad", "article_created.json")
        answer.update({"id": article_id, "ticket_id": int(number), "subject": article.get("subject"),
                       "body": article.get("body", ""), "content_type": article.get("content_type", "text/plain"),
                       "internal": bool(article.get("internal")), "type": article.get("type", "note"),
                       "attachments": [dict(template, id=article_id * 100 + j, filename=name, size=str(len(data)),
                                            preferences={"Mime-Type": "application/octet-stream"})
                                       for j, (name, data) in enumerate(article["files"], 1)]})
        return answer

    @staticmethod
    def _files(article: dict) -> list[tuple[str, bytes]]:
        return [(a["filename"], base64.b64decode(a["data"])) for a in article.get("attachments") or []]

    def _create(self, body):
        data = json.loads(body)
        if data.get("group") != self.group:
            return 422, {"error": "No such group",
                         "error_human": f"No lookup value found for 'group': \"{data.get('group')}\""}
        number = str(self.new_id())
        article = dict(data.get("article") or {})
        article["files"] = self._files(article)
        article_id = self.new_id()
        self.tickets[number] = {"fields": data, "files": list(article["files"]),
                                "articles": [(article_id, article)], "number": f"3{number}"}
        answer = recorded("zammad", "ticket_created.json")
        answer.update({"id": int(number), "number": f"3{number}", "title": data.get("title"),
                       "article_ids": [article_id]})
        return 201, answer

    def handle(self, method, path, query, body, content_type, headers):
        if method == "POST" and path == "/api/v1/tickets":
            return self._create(body)
        if method == "GET" and path == "/api/v1/tickets/search":
            # Not from a recording: the search answer Zammad gives without ``expand``.
            term = query.get("query", "").strip('"')
            found = [int(n) for n, t in self.tickets.items()
                     if term and any(term in a.get("body", "") for _i, a in t["articles"])]
            return 200, {"tickets": found, "tickets_count": len(found), "assets": {}}
        if method == "GET" and path.startswith("/api/v1/ticket_articles/by_ticket/"):
            number = path.rsplit("/", 1)[1]
            if number not in self.tickets:
                return 404, {"error": "Couldn't find Ticket"}
            listed = recorded("zammad", "articles_by_ticket.json")[0]
            return 200, [self._article(number, i, a, dict(listed)) for i, a in self.tickets[number]["articles"]]
        if method == "POST" and path == "/api/v1/ticket_articles":
            data = json.loads(body)
            number = str(data.get("ticket_id"))
            if number not in self.tickets:
                return 422, {"error": "No such ticket"}
            article = dict(data)
            article["files"] = self._files(article)
            article_id = self.new_id()
            self.tickets[number]["files"] += article["files"]
            self.tickets[number]["articles"].append((article_id, article))
            return 201, self._article(number, article_id, article)
        return 404, {"error": "No route matches"}


HOSTED = {cls.vendor: cls for cls in (Zendesk, Freshdesk, JiraServiceManagement, Zammad)}
