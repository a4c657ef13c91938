"""One HAR entry, sanitised and completed into valid HAR 1.2 (the rules: ``core.har``).

Entries are cleaned in place: each one was just decoded from the file and belongs to nobody
else, and a 50 MB log has tens of thousands of headers — copying every one of them would
cost more than deciding about it.
"""
from __future__ import annotations

import base64
import binascii
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any, cast

from capture_app.core.privacy import pii
from capture_app.core.privacy import text_scrub as ts

EPOCH = "1970-01-01T00:00:00.000Z"
BODY_REMOVED = "body removed before sending (Report Capture)"
SLOW_MS = 3000

# Bodies removed by default: page code and markup, and bytes no person reads in a HAR.
_PAGE_TYPES = ("javascript", "ecmascript", "html", "xhtml", "jscript")
_BINARY_PREFIXES = ("image/", "font/", "audio/", "video/")
_BINARY_TYPES = frozenset({"application/octet-stream", "application/wasm", "application/pdf",
                           "application/zip", "application/font-woff", "application/x-font-woff",
                           "application/vnd.ms-fontobject", "application/x-protobuf",
                           "application/grpc"})
# Headers whose value is a URL (or a path with a query, for HTTP/2's ":path").
URL_HEADERS = frozenset({"referer", "location", "content-location", "origin", ":path", "link",
                         "refresh", "x-original-url", "x-forwarded-uri"})


@dataclass(frozen=True)
class SanitiseOptions:
    keep_page_bodies: bool = False  # scripts and HTML
    keep_binary_bodies: bool = False  # images, fonts, media, other binary data
    slow_ms: int = SLOW_MS
    # E-mail addresses, phone numbers and IBANs become [E-MAIL], [TELEFON], [IBAN].
    mask_personal_data: bool = True
    # To fit an attachment limit (``core.har.plan_to_fit``): no response bodies at all, and
    # these entries (0-based positions in ``log.entries``) left out.
    leave_out_response_bodies: bool = False
    leave_out: frozenset[int] = frozenset()


# --- values of the right type ------------------------------------------------------------------

def as_int(value: Any, default: int) -> int:
    if type(value) is int:
        return value
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return default
    # 1e999 is infinite and NaN is no number: neither has an int, and neither is valid JSON.
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    return default


def as_number(value: Any, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    if isinstance(value, float) and not math.isfinite(value):
        return default
    return value


def as_str(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) else default


def creator(value: Any) -> dict[str, Any]:
    value = dict(value) if isinstance(value, dict) else {}
    value["name"] = as_str(value.get("name"), "unknown") or "unknown"
    value["version"] = as_str(value.get("version"))
    return cast("dict[Any, Any]", value)


def page(item: dict[str, Any], counts: Counter[Any]) -> dict[str, Any]:
    item = ts.scrub_json_tree(item, counts)
    item["startedDateTime"] = as_str(item.get("startedDateTime"), EPOCH)
    item["id"] = as_str(item.get("id"), "page")
    item["title"] = as_str(item.get("title"))
    if not isinstance(item.get("pageTimings"), dict):
        item["pageTimings"] = {}
    return item


# --- parts of an entry -------------------------------------------------------------------------

# Header values that were found clean: the same User-Agent, Accept, … comes in every entry.
_CLEAN: set[str] = set()
_CLEAN_LIMIT = 4096


def _remember_clean(value: str) -> None:
    if len(_CLEAN) >= _CLEAN_LIMIT:
        _CLEAN.clear()
    _CLEAN.add(value)


def _extras(obj: dict[str, Any], counts: Counter[Any]) -> None:
    """Browser-specific fields (``_initiator``, ``_error``, …) and comments, cleaned in place."""
    for key in [k for k in obj if k[:1] == "_" or k == "comment"]:
        value = obj[key]
        if isinstance(value, str):
            obj[key] = ts.scrub_string(value, counts)
        elif isinstance(value, (dict, list)):
            obj[key] = ts.scrub_json_tree(value, counts)


def _pairs(items: Any, counts: Counter[Any], counter: str, url_names: frozenset[Any] = frozenset()) -> list[Any]:
    """Headers, query parameters or form params (``[{"name", "value"}, …]``), cleaned in place."""
    if not isinstance(items, list):
        return []
    secret = ts.is_sensitive_name
    scrub = ts.scrub_string
    broken = False
    for item in items:
        if type(item) is not dict:
            broken = True
            continue
        name, value = item.get("name"), item.get("value")
        if type(name) is not str:
            item["name"] = name = ""
        if type(value) is not str:
            item["value"] = value = "" if value is None else str(value)
        if not value:
            pass
        elif secret(name):
            counts[counter] += 1
            item["value"] = ts.REDACTED
        elif url_names and name.lower() in url_names:
            item["value"] = (ts.scrub_url_in_text(value, counts) if "://" in value
                             else ts.scrub_url(value, counts))
        elif len(value) >= 12 and value not in _CLEAN:
            cleaned = scrub(value, counts)
            if cleaned is value:
                _remember_clean(value)
            else:
                item["value"] = cleaned
        if len(item) > 2:
            _extras(item, counts)
    return [item for item in items if type(item) is dict] if broken else items


def _cookies(items: Any, counts: Counter[Any]) -> list[Any]:
    if not isinstance(items, list):
        return []
    kept = []
    for cookie in items:
        if type(cookie) is not dict:
            continue
        if type(cookie.get("name")) is not str:
            cookie["name"] = ""
        if cookie.get("value") not in (None, ""):
            counts["cookies"] += 1
        cookie["value"] = ts.REDACTED
        if "expires" in cookie and not isinstance(cookie["expires"], (str, type(None))):
            cookie["expires"] = None
        kept.append(cookie)
    return kept


def _is_page_type(mime: str) -> bool:
    return any(kind in mime for kind in _PAGE_TYPES)


def _is_binary_type(mime: str) -> bool:
    base = mime.split(";", 1)[0].strip()
    return (base.startswith(_BINARY_PREFIXES) and "svg" not in base) or base in _BINARY_TYPES


def _base64_body(text: str, mime: str, counts: Counter[Any], mask_personal: bool = True) -> str:
    """A body the browser stored base64-encoded: cleaned in its decoded form, encoded again."""
    try:
        decoded = base64.b64decode(text, validate=False).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        counts["bodies_removed"] += 1  # undecodable bytes cannot be checked, so they do not go
        return ""
    cleaned = ts.scrub_body(decoded, mime, counts)
    if mask_personal:
        cleaned = pii.mask_counted(cleaned, counts)
    if cleaned == decoded:
        return text
    return base64.b64encode(cleaned.encode("utf-8")).decode("ascii")


def _content(content: Any, options: SanitiseOptions, counts: Counter[Any]) -> dict[str, Any]:
    if not isinstance(content, dict):
        content = {}
    mime_type = as_str(content.get("mimeType"))
    content["mimeType"] = mime_type
    content["size"] = as_int(content.get("size"), 0)
    if "compression" in content:
        content["compression"] = as_int(content["compression"], 0)
    text = content.get("text")
    if not isinstance(text, str) or not text:
        content.pop("text", None)
    else:
        mime = mime_type.lower()
        if (_is_page_type(mime) and not options.keep_page_bodies) or \
                (_is_binary_type(mime) and not options.keep_binary_bodies) or \
                options.leave_out_response_bodies:
            del content["text"]
            content.pop("encoding", None)
            content["comment"] = BODY_REMOVED
            counts["bodies_removed"] += 1
        elif as_str(content.get("encoding")).lower() == "base64":
            content["text"] = _base64_body(text, mime, counts, options.mask_personal_data)
        else:
            content["text"] = ts.scrub_body(text, mime, counts)
    if "encoding" in content and not isinstance(content["encoding"], str):
        del content["encoding"]
    _extras(content, counts)
    return cast("dict[Any, Any]", content)


def _post_data(post: dict[str, Any], counts: Counter[Any], mask_personal: bool) -> dict[str, Any]:
    post["mimeType"] = mime = as_str(post.get("mimeType"))
    text = post.get("text")
    if isinstance(text, str):
        if as_str(post.get("encoding")).lower() == "base64":
            post["text"] = _base64_body(text, mime.lower(), counts, mask_personal)
        else:
            post["text"] = ts.scrub_body(text, mime, counts)
    elif "text" in post:
        del post["text"]
    if "params" in post:
        post["params"] = _pairs(post["params"], counts, "body_fields")
    _extras(post, counts)
    return post


def _websocket_messages(messages: Any, counts: Counter[Any]) -> Any:
    if not isinstance(messages, list):
        return ts.scrub_json_value(messages, counts)
    for message in messages:
        if isinstance(message, dict):
            if isinstance(message.get("data"), str):
                message["data"] = ts.scrub_body(message["data"], "", counts)
            _extras(message, counts)
    return messages


def _request(request: dict[str, Any], counts: Counter[Any], options: SanitiseOptions) -> dict[str, Any]:
    request["method"] = as_str(request.get("method"))
    request["url"] = ts.scrub_url(request["url"], counts)
    request["httpVersion"] = as_str(request.get("httpVersion"))
    request["cookies"] = _cookies(request.get("cookies"), counts)
    request["headers"] = _pairs(request.get("headers"), counts, "headers", URL_HEADERS)
    request["queryString"] = _pairs(request.get("queryString"), counts, "query_values")
    request["headersSize"] = as_int(request.get("headersSize"), -1)
    request["bodySize"] = as_int(request.get("bodySize"), -1)
    post = request.get("postData")
    if isinstance(post, dict):
        _post_data(post, counts, options.mask_personal_data)
    elif "postData" in request:
        del request["postData"]
    _extras(request, counts)
    return request


def _response(response: Any, options: SanitiseOptions, counts: Counter[Any]) -> dict[str, Any]:
    if not isinstance(response, dict):
        response = {}
    response["status"] = as_int(response.get("status"), 0)
    response["statusText"] = as_str(response.get("statusText"))
    response["httpVersion"] = as_str(response.get("httpVersion"))
    response["cookies"] = _cookies(response.get("cookies"), counts)
    response["headers"] = _pairs(response.get("headers"), counts, "headers", URL_HEADERS)
    response["content"] = _content(response.get("content"), options, counts)
    response["redirectURL"] = ts.scrub_url(as_str(response.get("redirectURL")), counts)
    response["headersSize"] = as_int(response.get("headersSize"), -1)
    response["bodySize"] = as_int(response.get("bodySize"), -1)
    _extras(response, counts)
    return cast("dict[Any, Any]", response)


def sanitise_entry(entry: dict[str, Any], options: SanitiseOptions, counts: Counter[Any]) -> dict[str, Any]:
    """One ``log.entries`` item, cleaned in place and completed with every field HAR 1.2 requires.

    The caller has checked that ``entry["request"]["url"]`` is a string.
    """
    sockets = entry.pop("_webSocketMessages", None)
    _extras(entry, counts)
    if sockets is not None:
        entry["_webSocketMessages"] = _websocket_messages(sockets, counts)
    entry["startedDateTime"] = as_str(entry.get("startedDateTime"), EPOCH)
    _request(entry["request"], counts, options)
    entry["response"] = _response(entry.get("response"), options, counts)
    cache = entry.get("cache")
    entry["cache"] = ts.scrub_json_tree(cache, counts) if isinstance(cache, dict) else {}
    timings = entry.get("timings")
    if not isinstance(timings, dict):
        entry["timings"] = timings = {}
    for part in ("send", "wait", "receive"):
        timings[part] = as_number(timings.get(part), 0)
    time = as_number(entry.get("time"), -1)
    if time < 0:
        time = sum(v for k, v in timings.items()
                   if isinstance(v, (int, float)) and v > 0 and not k.startswith("_"))
    entry["time"] = time
    if "pageref" in entry and not isinstance(entry["pageref"], str):
        del entry["pageref"]
    for key in ("serverIPAddress", "connection"):
        if key in entry and not isinstance(entry[key], str):
            entry[key] = str(entry[key])
    return entry
