"""The proxy settings in effect: what a browser on this machine goes through to reach Flexperto.

User names and passwords inside proxy addresses are never reported: only that there are some.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from capture_app.core.environment.probes.base import Probe, ProbeFailed, Value, windows_registry
from capture_app.core.environment.probes.commands import CommandError
from capture_app.core.environment.probes.host import MACOS, WINDOWS, Host
from capture_app.core.platform.config import Text

INTERNET_SETTINGS = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings"
NONE = Text("probes.value.no_proxy")
NOT_SET = Text("probes.value.not_set")


def without_credentials(address: str) -> str | Text:
    """``http://user:secret@proxy:8080`` → ``http://proxy:8080 (mit Anmeldedaten)``."""
    address = address.strip()
    probe = address if "://" in address else f"http://{address}"
    try:
        parts = urlsplit(probe)
        has_login = parts.username is not None or parts.password is not None
    except ValueError:
        return re.sub(r"//[^@/]*@", "//", address)
    if not has_login:
        return address
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    scheme = f"{parts.scheme}://" if "://" in address else ""
    return Text("probes.value.proxy_with_login", {"address": f"{scheme}{host}{port}"})


def _env(env: Mapping[str, str], name: str) -> str:
    return env.get(name.lower()) or env.get(name.upper()) or ""


class ProxyProbe(Probe):
    name = "proxy"
    keys = ("proxy.http", "proxy.https", "proxy.no_proxy", "proxy.pac")
    timeout = 3.0

    def __init__(self, host: Host) -> None:
        self.host = host

    def run(self) -> Mapping[str, Value]:
        if self.host.system == WINDOWS:
            values = self._windows()
        elif self.host.system == MACOS:
            values = self._macos()
        else:
            values = {}
        # Environment variables win where set: programs (and this app) use them first.
        env = self.host.env
        for key, names in (("proxy.http", ("http_proxy", "all_proxy")),
                           ("proxy.https", ("https_proxy", "all_proxy")),
                           ("proxy.no_proxy", ("no_proxy",))):
            found = next((_env(env, name) for name in names if _env(env, name)), "")
            if found:
                values[key] = without_credentials(found) if key != "proxy.no_proxy" else found
        return {key: values.get(key) or (NONE if key in ("proxy.http", "proxy.https") else NOT_SET)
                for key in self.keys}

    def _windows(self) -> dict[str, Value]:
        registry = windows_registry(self.host)
        values: dict[str, Value] = {}
        if registry.value(INTERNET_SETTINGS, "ProxyEnable") == 1:
            server = str(registry.value(INTERNET_SETTINGS, "ProxyServer") or "")
            if "=" in server:  # per protocol: "http=proxy:80;https=proxy:443"
                for part in server.split(";"):
                    scheme, _, address = part.partition("=")
                    if scheme.strip().lower() in ("http", "https") and address:
                        values[f"proxy.{scheme.strip().lower()}"] = without_credentials(address)
            elif server:
                values["proxy.http"] = values["proxy.https"] = without_credentials(server)
            override = registry.value(INTERNET_SETTINGS, "ProxyOverride")
            if override:
                values["proxy.no_proxy"] = str(override)
        pac = registry.value(INTERNET_SETTINGS, "AutoConfigURL")
        if pac:
            values["proxy.pac"] = without_credentials(str(pac))
        return values

    def _macos(self) -> dict[str, Value]:
        try:
            result = self.host.command(["scutil", "--proxy"], self.timeout)
        except CommandError as exc:
            raise ProbeFailed(exc.reason_key, **exc.params) from None
        text = result.stdout
        fields = dict(re.findall(r"^\s*(\w+)\s*:\s*(.*?)\s*$", text, re.MULTILINE))
        values: dict[str, Value] = {}
        for scheme, prefix in (("http", "HTTP"), ("https", "HTTPS")):
            if fields.get(f"{prefix}Enable") == "1" and fields.get(f"{prefix}Proxy"):
                port = fields.get(f"{prefix}Port")
                values[f"proxy.{scheme}"] = fields[f"{prefix}Proxy"] + (f":{port}" if port else "")
        if fields.get("ProxyAutoConfigEnable") == "1" and fields.get("ProxyAutoConfigURLString"):
            values["proxy.pac"] = without_credentials(fields["ProxyAutoConfigURLString"])
        block = re.search(r"ExceptionsList\s*:\s*<array>\s*\{(.*?)\}", text, re.DOTALL)
        if block:
            exceptions = re.findall(r"^\s*\d+\s*:\s*(.+?)\s*$", block.group(1), re.MULTILINE)
            if exceptions:
                values["proxy.no_proxy"] = ", ".join(exceptions)
        return values
