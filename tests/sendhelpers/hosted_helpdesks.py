"""Hosted ticket systems on 127.0.0.1: the requests their API references document, and answers
shaped like the examples recorded there (Zendesk, Freshdesk, Jira Service Management, Zammad).

Only what a report needs is implemented — create, attach, look up, read back — with the checks
the real services make on those calls (authentication, required fields, the XSRF header Jira
wants on uploads, Freshdesk's 20 MB attachment total). Tickets and their files are kept in
memory for the tests to look at: ``server.tickets`` (id → {"fields": …, "files": [(name, bytes)]}).
"""
from __future__ import annotations

import base64
import hashlib
import json
import threading
from email.parser import BytesParser
from email.policy import HTTP as HTTP_POLICY
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

FRESHDESK_ATTACHMENT_TOTAL = 20 * 1024 * 1024


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

    def handle(self, method, path, query, body, content_type, headers):
        if method == "POST" and path == "/api/v2/uploads":
            name = query.get("filename", "")
            token = f"upl{self.new_id()}vz7ll9ud8oofowy"
            attachment_id = self.new_id()
            self.uploads[token] = (name, body, content_type)
            attachment = {"id": attachment_id, "file_name": name, "content_type": content_type,
                          "content_url": f"https://example.zendesk.com/attachments/token/{token}/?name={name}",
                          "size": len(body), "inline": False, "deleted": False, "thumbnails": []}
            return 201, {"upload": {"token": token, "expires_at": "2026-11-30T09:00:00Z",
                                    "attachments": [attachment], "attachment": attachment}}
        if method == "POST" and path == "/api/v2/tickets":
            ticket = json.loads(body)["ticket"]
            comment = ticket.get("comment") or {}
            if not comment.get("body"):
                return 422, {"error": "RecordInvalid", "description": "Record validation errors",
                             "details": {"base": [{"description": "Description: cannot be blank"}]}}
            number = self.new_id()
            files = [self.uploads.pop(t)[:2] for t in comment.get("uploads") or [] if t in self.uploads]
            self.tickets[str(number)] = {"fields": ticket, "files": files}
            return 201, {"ticket": {"id": number, "url": f"https://example.zendesk.com/api/v2/tickets/{number}.json",
                                    "external_id": ticket.get("external_id"), "subject": ticket.get("subject"),
                                    "priority": ticket.get("priority"), "status": "new",
                                    "group_id": ticket.get("group_id")},
                         "audit": {"id": self.new_id(), "ticket_id": number, "events": []}}
        if method == "GET" and path == "/api/v2/tickets":
            wanted = query.get("external_id")
            found = [{"id": int(n), "external_id": t["fields"].get("external_id"),
                      "subject": t["fields"].get("subject")}
                     for n, t in self.tickets.items() if t["fields"].get("external_id") == wanted]
            return 200, {"tickets": found, "next_page": None, "previous_page": None, "count": len(found)}
        if path.startswith("/api/v2/tickets/") and path.endswith("/comments") and method == "GET":
            number = path.split("/")[4]
            ticket = self.tickets.get(number)
            if ticket is None:
                return 404, {"error": "RecordNotFound", "description": "Not found"}
            attachments = [{"id": i, "file_name": name, "size": len(data)}
                           for i, (name, data) in enumerate(ticket["files"], 1)]
            return 200, {"comments": [{"id": 1, "type": "Comment", "body": ticket["fields"]["comment"]["body"],
                                       "public": True, "attachments": attachments}],
                         "next_page": None, "previous_page": None, "count": 1}
        if method == "PUT" and path.startswith("/api/v2/tickets/"):
            number = path.split("/")[4]
            ticket = self.tickets.get(number)
            if ticket is None:
                return 404, {"error": "RecordNotFound", "description": "Not found"}
            comment = json.loads(body)["ticket"].get("comment") or {}
            ticket["files"] += [self.uploads.pop(t)[:2] for t in comment.get("uploads") or []
                                if t in self.uploads]
            return 200, {"ticket": {"id": int(number)}, "audit": {"id": self.new_id()}}
        return 404, {"error": "InvalidEndpoint", "description": "Not found"}


class Freshdesk(HostedHelpdesk):
    """developers.freshdesk.com/api: Create a Ticket with attachments, Filter Tickets, Notes."""

    vendor = "freshdesk"
    user = "tok-7f3a9c1e-hosted"
    token = "X"

    def unauthorised(self):
        return {"code": "invalid_credentials", "message": "You have to be logged in to perform this action."}

    @staticmethod
    def _attachments(parts, start: int):
        files, listed = [], []
        for offset, (_name, filename, ctype, data) in enumerate(p for p in parts if p[0] == "attachments[]"):
            files.append((filename, data))
            listed.append({"id": start + offset, "name": filename, "content_type": ctype, "size": len(data),
                           "created_at": "2026-11-27T09:00:00Z", "updated_at": "2026-11-27T09:00:00Z",
                           "attachment_url": f"https://s3.amazonaws.com/example/{filename}"})
        return files, listed

    def _view(self, number: str) -> dict:
        ticket = self.tickets[number]
        return {"id": int(number), "subject": ticket["fields"].get("subject"), "tags": ticket["tags"],
                "priority": int(ticket["fields"].get("priority", 1)), "status": 2,
                "attachments": ticket["listed"]}

    def handle(self, method, path, query, body, content_type, headers):
        if method == "POST" and path == "/api/v2/tickets":
            parts = _multipart(content_type, body)
            fields = {name: data.decode() for name, filename, _c, data in parts if filename is None}
            tags = [data.decode() for name, filename, _c, data in parts if name == "tags[]"]
            errors = [{"field": f, "message": "It should not be blank as this is a mandatory field",
                       "code": "missing_field"} for f in ("subject", "description", "email")
                      if not fields.get(f)]
            files, listed = self._attachments(parts, self.new_id())
            if sum(len(d) for _n, d in files) > FRESHDESK_ATTACHMENT_TOTAL:
                errors.append({"field": "attachments", "message": "The cumulative size of all attachments exceeds 20MB",
                               "code": "invalid_size"})
            if errors:
                return 400, {"description": "Validation failed", "errors": errors}
            number = str(self.new_id())
            self.tickets[number] = {"fields": fields, "tags": tags, "files": files, "listed": listed,
                                    "notes": []}
            return 201, self._view(number)
        if method == "GET" and path == "/api/v2/search/tickets":
            wanted = query.get("query", "")
            found = [self._view(n) for n, t in self.tickets.items()
                     if any(f"tag:'{tag}'" in wanted for tag in t["tags"])]
            return 200, {"results": found, "total": len(found)}
        if path.startswith("/api/v2/tickets/") and method == "POST" and path.endswith("/notes"):
            number = path.split("/")[4]
            if number not in self.tickets:
                return 404, {"code": "access_denied"}
            files, listed = self._attachments(_multipart(content_type, body), self.new_id())
            self.tickets[number]["files"] += files
            self.tickets[number]["notes"].append(listed)
            return 201, {"id": self.new_id(), "ticket_id": int(number), "attachments": listed}
        if path.startswith("/api/v2/tickets/") and method == "GET":
            number = path.split("/")[4]
            if number not in self.tickets:
                return 404, None
            view = self._view(number)
            if query.get("include") == "conversations":
                view["conversations"] = [{"id": i, "attachments": listed}
                                         for i, listed in enumerate(self.tickets[number]["notes"], 1)]
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

    def _request(self, key: str) -> dict:
        ticket = self.tickets[key]
        values = ticket["fields"]["requestFieldValues"]
        return {"issueId": ticket["issue_id"], "issueKey": key, "requestTypeId": self.request_type,
                "serviceDeskId": self.service_desk,
                "createdDate": {"iso8601": "2026-11-27T10:00:00+0100", "epochMillis": 1795770000000},
                "reporter": {"accountId": "qm:a713c8ea", "emailAddress": self.user},
                "requestFieldValues": [{"fieldId": "summary", "label": "What do you need?",
                                        "value": values.get("summary")},
                                       {"fieldId": "description", "label": "Why do you need this?",
                                        "value": values.get("description")}],
                "currentStatus": {"status": "Waiting for Support", "statusCategory": "NEW"},
                "_links": {"web": f"https://example.atlassian.net/servicedesk/customer/portal/3/{key}"}}

    def handle(self, method, path, query, body, content_type, headers):
        if method == "POST" and path == "/rest/servicedeskapi/request":
            data = json.loads(body)
            if (str(data.get("serviceDeskId")) != self.service_desk
                    or str(data.get("requestTypeId")) != self.request_type):
                return 400, {"errorMessage": "The request type you are trying to use does not exist.",
                             "i18nErrorMessage": {"i18nKey": "sd.request.create.error.reqtype.invalid",
                                                  "parameters": []}}
            number = self.new_id()
            key = f"HELPDESK-{number}"
            self.tickets[key] = {"fields": data, "files": [], "issue_id": str(number)}
            return 201, self._request(key)
        if method == "GET" and path == "/rest/servicedeskapi/request":
            term = query.get("searchTerm", "")
            found = [self._request(k) for k, t in self.tickets.items()
                     if term and term in str(t["fields"]["requestFieldValues"].get("summary"))]
            return 200, {"size": len(found), "start": 0, "limit": 50, "isLastPage": True,
                         "values": found, "_links": {}}
        if method == "POST" and path.endswith("/attachTemporaryFile"):
            if headers.get("X-Atlassian-Token") != "no-check":
                return 403, {"errorMessage": "XSRF check failed"}
            results = []
            for _name, filename, _ctype, data in _multipart(content_type, body):
                temp = f"temp{self.new_id()}8186986447786047598"
                self.temporary[temp] = (filename, data)
                results.append({"temporaryAttachmentId": temp, "fileName": filename})
            return 201, {"temporaryAttachments": results}
        if path.startswith("/rest/servicedeskapi/request/") and path.endswith("/attachment"):
            key = path.split("/")[4]
            if key not in self.tickets:
                return 404, {"errorMessage": "Request does not exist."}
            if method == "POST":
                data = json.loads(body)
                added = [self.temporary.pop(t) for t in data.get("temporaryAttachmentIds") or []
                         if t in self.temporary]
                self.tickets[key]["files"] += added
            values = [{"filename": name, "author": {"emailAddress": self.user}, "created": {},
                       "size": len(data), "mimeType": "application/octet-stream", "_links": {}}
                      for name, data in self.tickets[key]["files"]]
            listing = {"size": len(values), "start": 0, "limit": 50, "isLastPage": True, "values": values}
            if method == "POST":
                return 201, {"comment": {"id": "1000", "body": "", "public": True}, "attachments": listing}
            return 200, listing
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

    def _articles(self, number: str) -> list[dict]:
        return [{"id": i, "ticket_id": int(number), "type": "note", "internal": False,
                 "body": article["body"],
                 "attachments": [{"id": j, "filename": name, "size": str(len(data)),
                                  "preferences": {"Mime-Type": "application/octet-stream"}}
                                 for j, (name, data) in enumerate(article["files"], 1)]}
                for i, article in enumerate(self.tickets[number]["articles"], 1)]

    @staticmethod
    def _files(article: dict) -> list[tuple[str, bytes]]:
        return [(a["filename"], base64.b64decode(a["data"])) for a in article.get("attachments") or []]

    def handle(self, method, path, query, body, content_type, headers):
        if method == "POST" and path == "/api/v1/tickets":
            data = json.loads(body)
            if data.get("group") != self.group:
                return 422, {"error": "No such group",
                             "error_human": f"No lookup value found for 'group': \"{data.get('group')}\""}
            number = str(self.new_id())
            article = data.get("article") or {}
            files = self._files(article)
            self.tickets[number] = {"fields": data, "files": list(files),
                                    "articles": [{"body": article.get("body", ""), "files": files}],
                                    "number": f"3{number}"}
            return 201, {"id": int(number), "group_id": 2, "priority_id": 2, "state_id": 1,
                         "number": f"3{number}", "title": data.get("title"), "customer_id": 3,
                         "article_ids": [1], "created_at": "2026-11-27T09:00:00.000Z"}
        if method == "GET" and path == "/api/v1/tickets/search":
            term = query.get("query", "").strip('"')
            found = [int(n) for n, t in self.tickets.items()
                     if term and any(term in a["body"] for a in t["articles"])]
            return 200, {"tickets": found, "tickets_count": len(found), "assets": {}}
        if method == "GET" and path.startswith("/api/v1/ticket_articles/by_ticket/"):
            number = path.rsplit("/", 1)[1]
            if number not in self.tickets:
                return 404, {"error": "Couldn't find Ticket"}
            return 200, self._articles(number)
        if method == "POST" and path == "/api/v1/ticket_articles":
            data = json.loads(body)
            number = str(data.get("ticket_id"))
            if number not in self.tickets:
                return 422, {"error": "No such ticket"}
            files = self._files(data)
            self.tickets[number]["files"] += files
            self.tickets[number]["articles"].append({"body": data.get("body", ""), "files": files})
            return 201, {"id": self.new_id(), "ticket_id": int(number)}
        return 404, {"error": "No route matches"}


HOSTED = {cls.vendor: cls for cls in (Zendesk, Freshdesk, JiraServiceManagement, Zammad)}
