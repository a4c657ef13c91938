"""Network plumbing shared by the transports: TLS, proxies, redirects and readable errors.

* TLS is always verified, against the operating system's trust store (``truststore``): a bank's
  TLS-inspecting proxy re-signs traffic with a CA that IT put into Windows' store, not into
  Python's certifi bundle. There is no switch to turn verification off.
* Proxies come from the environment and the system (``HTTPS_PROXY``/``NO_PROXY``, Windows'
  Internet settings, macOS' System Configuration) unless a proxy is configured. Proxy
  credentials are accepted from the configured proxy plus the keyring, or from the proxy URL in
  the environment.
* Credentials never follow a redirect to another host: requests removes ``Authorization``; the
  session here also removes the custom token header a ticket API may use.

Import this module lazily: it pulls in requests, which start-up does not need.
"""
from __future__ import annotations

import re
import socket
import ssl
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from capture_app.core.platform.secrets import Secret, redact

USER_AGENT_PRODUCT = "ReportCapture"


def tls_context() -> ssl.SSLContext:
    """A client context that verifies against the OS trust store (and checks host names)."""
    import truststore

    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class TrustStoreAdapter(HTTPAdapter):
    """requests' adapter, with the OS trust store instead of certifi for every connection."""

    def __init__(self, context: ssl.SSLContext | None = None, **kwargs: Any) -> None:
        self._context = context or tls_context()
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["ssl_context"] = self._context
        return super().init_poolmanager(*args, **kwargs)

    def proxy_manager_for(self, proxy: Any, **kwargs: Any) -> Any:
        kwargs["ssl_context"] = self._context
        return super().proxy_manager_for(proxy, **kwargs)

    def build_connection_pool_key_attributes(self, request: Any, verify: Any, cert: Any = None) -> Any:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        pool_kwargs["ssl_context"] = self._context
        pool_kwargs.pop("ca_certs", None)
        pool_kwargs.pop("ca_cert_dir", None)
        pool_kwargs["cert_reqs"] = "CERT_REQUIRED"
        return host_params, pool_kwargs

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        # requests would load certifi's bundle into the context here; the OS store is the one.
        conn.cert_reqs = "CERT_REQUIRED"
        conn.ca_certs = None
        conn.ca_cert_dir = None


ENVIRONMENT_PROXY_SECONDS = 30  # how long a host's proxy from the environment is reused


class CredentialSafeSession(requests.Session):
    """A session that drops every credential header when a redirect leaves the origin.

    Proxies: a configured proxy (``session.proxies``) always wins. Otherwise the environment's
    and the system's proxy for the host is used (``HTTPS_PROXY``/``NO_PROXY``, Windows' Internet
    settings, macOS' System Configuration), looked up once per host for a short while rather
    than on every request as requests' ``trust_env`` does (it walks the whole environment each
    time, and lets the environment override a configured proxy). ``trust_env`` is off, so a
    ``.netrc`` never adds credentials either.
    """

    def __init__(self) -> None:
        super().__init__()
        self.credential_headers: set[str] = {"Authorization"}
        self.trust_env = False
        self._environment: dict[str, tuple[float, dict[str, Any]]] = {}

    def request(  # type: ignore[override]  # takes what Session.request takes, passes it on
            self, method: Any, url: str, *args: Any, **kwargs: Any) -> Any:
        if not self.proxies and kwargs.get("proxies") is None:
            kwargs["proxies"] = self.environment_proxies(url)
        return super().request(method, url, *args, **kwargs)

    def environment_proxies(self, url: str) -> dict[str, str]:
        import time

        from requests.utils import get_environ_proxies

        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        now = time.monotonic()
        known = self._environment.get(key)
        if known is None or now - known[0] > ENVIRONMENT_PROXY_SECONDS:
            known = (now, get_environ_proxies(url))
            self._environment[key] = known
        return dict(known[1])

    def rebuild_auth(self, prepared_request: Any, response: Any) -> None:
        if not same_origin(response.request.url, prepared_request.url):
            for name in list(prepared_request.headers):
                if name.lower() in {h.lower() for h in self.credential_headers}:
                    del prepared_request.headers[name]
            return  # and no .netrc credentials for a host the agent never configured
        super().rebuild_auth(prepared_request, response)  # type: ignore[no-untyped-call]


def make_session(*, proxy_url: str = "", proxy_user: str = "", proxy_password: Secret | None = None,
                 context: ssl.SSLContext | None = None, user_agent: str = "") -> CredentialSafeSession:
    session = CredentialSafeSession()
    adapter = TrustStoreAdapter(context)
    session.mount("https://", adapter)
    session.mount("http://", HTTPAdapter())
    if user_agent:
        session.headers["User-Agent"] = user_agent
    if proxy_url:
        full = with_credentials(proxy_url, proxy_user, proxy_password)
        session.proxies = {"http": full, "https": full}
    return session


def with_credentials(url: str, user: str, password: Secret | None) -> str:
    if not user:
        return url
    parts = urlsplit(url)
    userinfo = quote(user, safe="")
    if password:
        userinfo += ":" + quote(password.reveal(), safe="")
    netloc = f"{userinfo}@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port or default


def same_origin(first: str, second: str) -> bool:
    return origin(first) == origin(second)


def url_problem(url: str) -> str:
    """Why ``url`` cannot be an endpoint ('' if it can): missing scheme, host, spaces …"""
    text = (url or "").strip()
    if not text:
        return "empty"
    if any(ch.isspace() for ch in text):
        return "spaces"
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        return "no_scheme"
    if not parts.hostname:
        return "no_host"
    try:
        parts.port  # noqa: B018 - raises for a port out of range or not a number
    except ValueError:
        return "bad_port"
    if parts.username or parts.password:
        return "credentials_in_url"
    return ""


def display_url(url: str) -> str:
    """The URL without user information or query (which may carry tokens), for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


_USERINFO = re.compile(r"(?i)([a-z][a-z0-9+.-]*://)[^/@\s]*@")


def clean_reason(text: str, limit: int = 300) -> str:
    """Server or library text made safe to show and store: no secrets, no user info, bounded."""
    text = redact(_USERINFO.sub(r"\1", str(text)))
    text = " ".join(text.split())
    return text[:limit] + ("…" if len(text) > limit else "")


# --- what went wrong, in terms the agent can act on ------------------------------------------

def tls_failure(exc: BaseException) -> ssl.SSLError | None:
    """The TLS error inside a requests/urllib3/smtplib exception chain, if that is the cause."""
    seen = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError):
            return current
        for arg in getattr(current, "args", ()):
            if isinstance(arg, ssl.SSLError):
                return arg
            inner = getattr(arg, "reason", None)
            if isinstance(inner, ssl.SSLError):
                return inner
        reason = getattr(current, "reason", None)
        if isinstance(reason, ssl.SSLError):
            return reason
        current = current.__cause__ or current.__context__
    return None


def tls_reason_key(error: ssl.SSLError) -> str:
    """Which German explanation fits: expired, self-signed, unknown CA, wrong host name."""
    text = f"{getattr(error, 'verify_message', '') or ''} {error}".lower()
    if "expired" in text:
        return "sending.tls.expired"
    if "self-signed" in text or "self signed" in text:
        return "sending.tls.self_signed"
    if "hostname" in text or "ip address mismatch" in text:
        return "sending.tls.wrong_host"
    if "unable to get local issuer" in text or "unknown ca" in text or "certificate verify" in text:
        return "sending.tls.untrusted"
    return "sending.tls.failed"


def is_name_resolution_error(exc: BaseException) -> bool:
    current: BaseException | None = exc
    seen = set()
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, socket.gaierror):
            return True
        if "NameResolutionError" in type(current).__name__ or "Name or service not known" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False


LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def is_local_host(url: str) -> bool:
    """The endpoint is this machine (plain http:// is fine there: nothing crosses a network)."""
    host = (urlsplit((url or "").strip()).hostname or "").lower()
    return host in LOCAL_HOSTS or host.endswith(".localhost") or host.startswith("127.")


def network_cause(exc: BaseException) -> str:
    """Why a connection failed, as a message key (``sending.net.*``) the agent can read in any
    language — never a library's own text such as urllib3's "Failed to establish a new …"."""
    import errno

    seen = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError) or getattr(current, "errno", None) == errno.ECONNREFUSED:
            return "sending.net.refused"
        if isinstance(current, ConnectionResetError) or getattr(current, "errno", None) == errno.ECONNRESET:
            return "sending.net.reset"
        if isinstance(current, ConnectionAbortedError):
            return "sending.net.reset"
        if getattr(current, "errno", None) == errno.ENETUNREACH:
            return "sending.net.network_unreachable"
        if getattr(current, "errno", None) == errno.EHOSTUNREACH:
            return "sending.net.host_unreachable"
        if isinstance(current, (TimeoutError, socket.timeout)):
            return "sending.net.timeout"
        if "RemoteDisconnected" in type(current).__name__ or "ProtocolError" in type(current).__name__:
            inner = current.args[1] if len(current.args) > 1 else None
            pending.append(inner if isinstance(inner, BaseException) else None)
            if "RemoteDisconnected" in type(current).__name__:
                return "sending.net.closed"
        for arg in getattr(current, "args", ()):
            if isinstance(arg, BaseException):
                pending.append(arg)
        reason = getattr(current, "reason", None)
        pending.append(reason if isinstance(reason, BaseException) else None)
        pending.append(current.__cause__)
        pending.append(current.__context__)
    return "sending.net.failed"
