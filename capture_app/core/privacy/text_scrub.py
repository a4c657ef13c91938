"""Secrets out of text before it leaves the machine: URLs, headers, key/value pairs, JWTs.

What counts as a secret is decided by *where* a value sits (a query parameter called
``access_token``, a JSON field called ``passwort``, an ``Authorization`` header), not by what
it looks like: a token that is URL- or base64-encoded is removed just the same. Two shapes are
recognised anywhere, because they are secrets wherever they appear: credentials in a URL
(``https://user:pass@host``) and the signature of a JSON Web Token.

Used by the HAR sanitiser (``core.har``) and for console text (``core.console_log``).
"""
from __future__ import annotations

import json
import re
from collections import Counter
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote_plus

REDACTED = "[REDACTED]"
# Inside a URL brackets would have to be percent-encoded; a bare word keeps the URL readable.
URL_REDACTED = "REDACTED"

# Names are split into words ("accessToken" -> access, token; "X-Api-Key" -> x, api, key).
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")
SENSITIVE_WORDS = frozenset({
    "password", "passwd", "passwort", "kennwort", "pwd", "pass", "passphrase",
    "secret", "secrets", "token", "tokens", "auth", "authorization", "credential",
    "credentials", "cookie", "cookies", "session", "sessionid", "jsessionid", "phpsessid",
    "jwt", "bearer", "csrf", "xsrf", "signature", "apikey", "otp", "totp", "tan", "pin",
    "privatekey", "clientsecret", "accesskey", "secretkey", "saml", "samlresponse",
    "samlrequest", "assertion",
})
# One-time codes are secrets, but "code" alone in a longer name (error_code, countryCode) is not.
SENSITIVE_EXACT = frozenset({
    "code", "authcode", "authorizationcode", "verificationcode", "otpcode", "smscode",
    "mfacode", "confirmationcode", "activationcode", "resetcode", "sig", "sid", "key",
    "ticket", "st",
})


@lru_cache(maxsize=8192)
def is_sensitive_name(name: str) -> bool:
    """Does a header, parameter or field of this name carry a secret?"""
    if not name:
        return False
    flat = re.sub(r"[^a-z0-9]", "", name.lower())
    if flat in SENSITIVE_EXACT or flat in SENSITIVE_WORDS:
        return True
    words = [w.lower() for w in _WORD_SPLIT.split(name) if w]
    if any(w in SENSITIVE_WORDS for w in words):
        return True
    # "subscription-key", "private_key", "X-Api-Key": a name that ends in "key" names one.
    return bool(words) and words[-1] in ("key", "keys") and len(words) > 1


_JWT = re.compile(r"\b(eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{2,})\.[A-Za-z0-9_-]{8,}")
_USERINFO = re.compile(r"(://)(?!REDACTED@)[^/\s\"'@<>\\?#]{1,512}@")
_SCHEME_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{1,15}://[^\s\"'<>`\\]+")
_AUTH_SCHEME = re.compile(
    r"(?i)\b(bearer|basic|digest|negotiate|ntlm)(\s+)([A-Za-z0-9._~+/=-]{8,})")
# Blanks, not ``\s``: ``\s*`` at a line start also eats the following line breaks, and a text of
# nothing but line breaks then takes quadratic time (200,000 newlines: minutes).
_HEADER_LINE = re.compile(
    r"(?im)^([ \t]*(?:set-cookie|cookie|authorization|proxy-authorization|x-api-key|api-key|"
    r"x-auth-token|x-csrf-token|x-xsrf-token)[ \t]*:[ \t]*)(\S[^\r\n]*)")
_JSON_PAIR = re.compile(r'"([^"\\\r\n]{1,80})"(\s*:\s*)"((?:[^"\\\r\n]|\\.){1,4096})"')
_KEY_VALUE = re.compile(r"(?<![\w%/.-])([A-Za-z_][\w.-]{0,60})(=)([^\s&\"'<>,;)}\]]{1,4096})")
_TOKENISH = re.compile(r"^[A-Za-z0-9._~+/=-]{16,}$")


def _has_letter_and_digit(value: str) -> bool:
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def scrub_jwt(text: str, counts: Counter[Any] | None = None) -> str:
    """Keep a JWT's header and payload (they say which issuer and claims), drop its signature."""
    if "eyJ" not in text:
        return text
    new, n = _JWT.subn(rf"\1.{URL_REDACTED}", text)
    if n and counts is not None:
        counts["jwt_signatures"] += n
    return new


def _scrub_params(text: str, sep: str, counts: Counter[Any], *, all_tokenish: bool = False) -> str:
    """``a=1&token=x`` with the values of sensitive names replaced; the rest left byte for byte."""
    out = []
    for pair in text.split(sep):
        name, eq, value = pair.partition("=")
        if not eq:
            out.append(pair)
            continue
        decoded_name = unquote_plus(name)
        if value and (is_sensitive_name(decoded_name) or
                      (all_tokenish and _TOKENISH.match(unquote_plus(value))
                       and _has_letter_and_digit(value))):
            counts["query_values"] += 1
            out.append(f"{name}={URL_REDACTED}")
            continue
        if "%3A%2F%2F" in value or "%3a%2f%2f" in value or "://" in value:
            inner = unquote_plus(value)
            cleaned = scrub_url_in_text(inner, counts)
            if cleaned != inner:
                value = quote(cleaned, safe="")
        out.append(f"{name}={scrub_jwt(value, counts)}")
    return sep.join(out)


def scrub_url(url: str, counts: Counter[Any] | None = None) -> str:
    """A URL without credentials, secret query values or token fragments; structure unchanged."""
    if not isinstance(url, str) or not url:
        return url
    if "?" not in url and "#" not in url and "@" not in url and "eyJ" not in url:
        return url
    counts = counts if counts is not None else Counter()
    scheme_end = url.find("://")
    rest_start = scheme_end + 3 if scheme_end > 0 else 0
    authority_end = len(url)
    for stop in "/?#":
        pos = url.find(stop, rest_start)
        if pos != -1:
            authority_end = min(authority_end, pos)
    head, tail = url[:authority_end], url[authority_end:]
    if scheme_end > 0 and "@" in head[rest_start:]:
        counts["url_credentials"] += 1
        head = head[:rest_start] + URL_REDACTED + "@" + head.rsplit("@", 1)[1]
    path, hash_, fragment = tail.partition("#")
    path, qmark, query = path.partition("?")
    path = scrub_jwt(path, counts)
    if query:
        query = _scrub_params(query, "&", counts)
    if fragment:
        before = counts["query_values"]
        if "=" in fragment:
            # OAuth's implicit flow returns tokens in the fragment (#access_token=…&state=…).
            route, q, params = fragment.rpartition("?") if "?" in fragment else ("", "", fragment)
            fragment = route + q + _scrub_params(params, "&", counts, all_tokenish=True)
        else:
            fragment = scrub_jwt(fragment, counts)
        counts["fragments"] += counts["query_values"] - before
        counts["query_values"] = before
    return head + path + qmark + query + hash_ + fragment


def scrub_url_in_text(text: str, counts: Counter[Any] | None = None) -> str:
    if "://" not in text:
        return text
    return _SCHEME_URL.sub(lambda m: scrub_url(m.group(0), counts), text)


_AUTH_HINTS = ("earer", "EARER", "asic", "ASIC", "igest", "IGEST", "egotiate", "EGOTIATE",
               "ntlm", "NTLM", "Ntlm")


def scrub_string(value: str, counts: Counter[Any] | None = None) -> str:
    """A string value from anywhere (header, JSON field, log line): URLs, JWTs, auth schemes."""
    if len(value) < 12:
        return value
    if len(value) > 256:  # a body: one lower-cased copy, then fewer scans of it
        lowered = value.lower()
        if "://" not in value and "eyj" not in lowered and not any(
                word in lowered for word in ("bearer", "basic", "digest", "negotiate", "ntlm")):
            return value
    if "://" in value:
        value = scrub_url_in_text(value, counts)
    if "eyJ" in value:
        value = scrub_jwt(value, counts)
    for hint in _AUTH_HINTS:  # plain substring tests: far cheaper than a regex on every value
        if hint in value:
            return _AUTH_SCHEME.sub(lambda m: _auth_value(m, counts), value)
    return value


def _auth_value(match: re.Match[str], counts: Counter[Any] | None) -> str:
    """``Bearer abc123…`` is a credential; ``Basic authentication`` is a phrase."""
    credential = match.group(3)
    looks_like_token = any(c.isdigit() for c in credential) or (
        len(credential) >= 20 and credential != credential.lower()) or credential.endswith("=")
    if not looks_like_token:
        return match.group(0)
    if counts is not None:
        counts["auth_values"] += 1
    return f"{match.group(1)}{match.group(2)}{REDACTED}"


def scrub_text(text: str, counts: Counter[Any] | None = None) -> str:
    """Free text (a console log, a request body of unknown type): every known secret shape."""
    counts = counts if counts is not None else Counter()
    text = scrub_string(text, counts)

    def header(match: re.Match[str]) -> str:
        counts["headers"] += 1
        return match.group(1) + REDACTED

    text = _HEADER_LINE.sub(header, text)

    def json_pair(match: re.Match[str]) -> str:
        if is_sensitive_name(match.group(1)) and match.group(3) != REDACTED:
            counts["body_fields"] += 1
            return f'"{match.group(1)}"{match.group(2)}"{REDACTED}"'
        return match.group(0)

    if '"' in text:
        text = _JSON_PAIR.sub(json_pair, text)

    def key_value(match: re.Match[str]) -> str:
        if is_sensitive_name(match.group(1)) and match.group(3) not in (URL_REDACTED, REDACTED):
            counts["body_fields"] += 1
            return f"{match.group(1)}={URL_REDACTED}"
        return match.group(0)

    if "=" in text:
        text = _KEY_VALUE.sub(key_value, text)
    return text


def scrub_json_value(value: Any, counts: Counter[Any]) -> Any:
    """A parsed JSON document with the values of sensitive keys replaced, at any depth.

    An explicit stack instead of recursion: a document nested a thousand levels deep is valid
    JSON, and a recursive walk would stop with ``RecursionError`` before reaching its secrets.
    """
    if isinstance(value, str):
        return scrub_string(value, counts)
    if not isinstance(value, (dict, list)):
        return value
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]
    while stack:
        source, parent, slot = stack.pop()
        if isinstance(source, dict):
            out: Any = {}
            for key, item in source.items():
                if is_sensitive_name(str(key)) and not _empty(item):
                    counts["body_fields"] += 1
                    out[key] = REDACTED
                elif isinstance(item, (dict, list)):
                    out[key] = None
                    stack.append((item, out, key))
                else:
                    out[key] = scrub_string(item, counts) if isinstance(item, str) else item
        else:
            out = [None] * len(source)
            for index, item in enumerate(source):
                if isinstance(item, (dict, list)):
                    stack.append((item, out, index))
                else:
                    out[index] = scrub_string(item, counts) if isinstance(item, str) else item
        parent[slot] = out
    return root[0]


def _empty(item: Any) -> bool:
    return item is None or (isinstance(item, (str, list, dict)) and not item)


# A key and the start of its value in JSON text: a whole string, number or literal, or the
# opening bracket of an object or array.


# Every sensitive name contains one of these (tests/core/test_har.py checks it against the word
# lists): a body in which none occurs has no sensitive key, and its keys need not be collected.
_KEY_STEMS = ("pass", "pwd", "secret", "token", "auth", "cred", "cookie", "sess", "sid", "jwt",
              "bearer", "csrf", "xsrf", "sig", "otp", "tan", "pin", "key", "code", "ticket", "saml",
              "assert", "kennwort", '"st"')
# Keys as JSON writers put them ("key":); the spaced form only where the text has such spacing.
_JSON_KEY = re.compile(r'"([^"]*)":')
_JSON_KEY_SPACED = re.compile(r'"([^"]*)"\s+:')


@lru_cache(maxsize=1024)
def _member_patterns(keys: frozenset[Any]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """For these sensitive keys: their non-empty scalar values, and an object/array value."""
    names = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
    scalar = re.compile(rf'"({names})"(\s*:\s*)(?:"(?:[^"\\]|\\.)+"|-?\d[\d.eE+\-]*|true|false)')
    nested = re.compile(rf'"(?:{names})"\s*:\s*[\[{{]')
    return scalar, nested


def scrub_json_text(text: str, counts: Counter[Any]) -> str:
    """A JSON body, cleaned in its text form: scalar values of sensitive keys are replaced where
    they stand, so a large body is not parsed and re-serialised for a handful of fields. Only a
    sensitive key holding an object or array (``"credentials": {…}``) needs the parsed path.

    The keys are collected first: most bodies have no sensitive key and are left untouched; the
    others are rewritten by a pattern that matches only their sensitive keys.
    """
    lowered = text.lower()
    if not any(stem in lowered for stem in _KEY_STEMS):
        return scrub_string(text, counts)
    keys = set(_JSON_KEY.findall(text))
    if '" :' in text or '"\t:' in text:  # "key" : value — rare, but valid JSON
        keys.update(_JSON_KEY_SPACED.findall(text))
    sensitive = frozenset(k for k in keys if len(k) <= 100 and is_sensitive_name(k))
    if sensitive:
        scalar, nested = _member_patterns(sensitive)
        if nested.search(text):
            try:
                return json.dumps(scrub_json_value(json.loads(text), counts), ensure_ascii=False)
            except (ValueError, RecursionError):
                # Not JSON after all, or nested deeper than the parser goes: each object or
                # array under a sensitive key is replaced as text, to its closing bracket.
                text = _replace_nested(text, nested, counts)
        text, found = scalar.subn(rf'"\1"\2"{REDACTED}"', text)
        if found:
            counts["body_fields"] += found
    return scrub_string(text, counts)


_BRACKET_OR_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _replace_nested(text: str, nested: re.Pattern[str], counts: Counter[Any]) -> str:
    """Each ``"key": {…}`` / ``"key": […]`` that ``nested`` finds, with the value replaced by
    ``"[REDACTED]"`` up to its matching bracket (or to the end of an unbalanced text)."""
    out, pos = [], 0
    while True:
        found = nested.search(text, pos)
        if found is None:
            break
        depth, end = 0, len(text)
        for token in _BRACKET_OR_STRING.finditer(text, found.end() - 1):
            char = token.group()
            if char in "[{":
                depth += 1
            elif char in "]}":
                depth -= 1
                if depth == 0:
                    end = token.end()
                    break
        counts["body_fields"] += 1
        out.append(text[pos:found.end() - 1] + f'"{REDACTED}"')
        pos = end
    out.append(text[pos:])
    return "".join(out)


def scrub_json_tree(value: Any, counts: Counter[Any]) -> Any:
    """``scrub_json_value`` for a large parsed value: cleaned as text in one pass (in C, mostly),
    then parsed again only if something changed. A walk in Python costs per node, and a value
    nested a thousand levels deep is a thousand nodes for a few bytes."""
    if isinstance(value, str):
        return scrub_string(value, counts)
    if not isinstance(value, (dict, list)):
        return value
    try:
        text = json.dumps(value, ensure_ascii=False)
        cleaned = scrub_json_text(text, counts)
        return value if cleaned == text else json.loads(cleaned)
    except (RecursionError, ValueError):  # nested near the interpreter's limit
        return scrub_json_value(value, counts)


def scrub_form(text: str, counts: Counter[Any]) -> str:
    """An ``application/x-www-form-urlencoded`` body."""
    before = counts["query_values"]
    cleaned = _scrub_params(text, "&", counts)
    counts["body_fields"] += counts["query_values"] - before
    counts["query_values"] = before
    return cleaned


# A part's headers end at its first blank line; its name is in Content-Disposition.
_PART_SPLIT = re.compile(r"(\r?\n)(?=--)")
_HEADERS_END = re.compile(r"\r?\n\r?\n")
_PART_NAME = re.compile(r'(?im)^content-disposition:[^\r\n]*?\bname="([^"]*)"')


def scrub_multipart(text: str, counts: Counter[Any]) -> str:
    """A ``multipart/form-data`` body, part by part: each part's content is cut at the next
    boundary line, found once by splitting — a part without its closing boundary (a cut-off
    upload) is still a part, and the text is walked only once."""
    pieces = _PART_SPLIT.split(text)
    for index in range(0, len(pieces), 2):
        piece = pieces[index]
        end = _HEADERS_END.search(piece)
        name = _PART_NAME.search(piece, 0, end.start()) if end else None
        if name is None or end is None:
            pieces[index] = scrub_text(piece, counts)
        elif is_sensitive_name(name.group(1)):
            counts["body_fields"] += 1
            pieces[index] = piece[:end.end()] + REDACTED
        else:
            pieces[index] = piece[:end.end()] + scrub_text(piece[end.end():], counts)
    return "".join(pieces)


def scrub_body(text: str, mime_type: str, counts: Counter[Any]) -> str:
    """A request or response body, scrubbed according to its media type."""
    mime = (mime_type or "").split(";", 1)[0].strip().lower()
    stripped = text.lstrip()[:1]
    if "json" in mime or stripped in ("{", "["):
        return scrub_json_text(text, counts)
    if mime == "application/x-www-form-urlencoded":
        return scrub_form(text, counts)
    if mime.startswith("multipart/"):
        return scrub_multipart(text, counts)
    return scrub_text(text, counts)


def final_pass(serialised: str, counts: Counter[Any]) -> str:
    """Credentials in URLs and JWT signatures, wherever they survived in serialised output."""
    if "://" in serialised:
        serialised, n = _USERINFO.subn(rf"\1{URL_REDACTED}@", serialised)
        if n:
            counts["url_credentials"] += n
    return scrub_jwt(serialised, counts)
