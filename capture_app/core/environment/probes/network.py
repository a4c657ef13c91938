"""Reachability of the organisation's Flexperto instance and of the STUN server, as probes."""
from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any

from capture_app.core.environment.probes.base import Probe, Value
from capture_app.core.platform.config import Text

NOT_CONFIGURED = Text("probes.value.not_configured")
NO_STUN_SERVER = Text("probes.value.not_configured_stun")
STEP_KEYS = {"dns": "network.dns", "tcp": "network.tcp", "proxy": "network.proxy",
             "tls": "network.tls", "http": "network.http"}


def _step_value(step: Any) -> Value:
    return step.detail if step.ok else Text("probes.reach.failed", {"reason": step.detail})


class InstanceReachabilityProbe(Probe):
    name = "reachability"
    keys = ("network.instance",)  # the steps' keys follow when there is an address to check
    step_keys = ("network.dns", "network.tcp", "network.tls", "network.tls_issuer", "network.http",
                 "network.rtt")

    def __init__(self, url: str, *, step_timeout: float = 5.0,
                 ssl_context: ssl.SSLContext | None = None, proxy: Any = None) -> None:
        self.url = url.strip()
        self.step_timeout = step_timeout
        self.ssl_context = ssl_context
        self.proxy = proxy
        # DNS, TCP, TLS and HTTP each get the step timeout, and a proxy's CONNECT one more.
        self.timeout = step_timeout * 5 + 0.5

    def run(self) -> Mapping[str, Value]:
        if not self.url:
            return {"network.instance": NOT_CONFIGURED}
        from capture_app.core.environment.reachability import check_instance, proxy_for

        result = check_instance(self.url, timeout=self.step_timeout, ssl_context=self.ssl_context,
                                proxy=self.proxy if self.proxy is not None else proxy_for)
        not_tried = Text("probes.reach.not_tried")
        values: dict[str, Value] = {key: not_tried for key in self.step_keys}
        values["network.instance"] = self.url
        for step in result.steps:
            values[STEP_KEYS[step.step]] = _step_value(step)
        tcp = result.step("tcp")
        values["network.rtt"] = f"{tcp.ms:.0f} ms" if tcp and tcp.ok and tcp.ms is not None else not_tried
        tls = result.step("tls")
        if tls is not None and tls.ok:
            values["network.tls_issuer"] = result.issuer or Text("probes.reach.not_tried")
        if not self.url.lower().startswith("https:"):
            values["network.tls"] = values["network.tls_issuer"] = Text("probes.reach.no_tls")
        if "network.proxy" not in values or values["network.proxy"] is not_tried:
            values.pop("network.proxy", None)
        return values


class StunProbe(Probe):
    name = "stun"
    keys = ("network.stun",)

    def __init__(self, server: str, *, timeout: float = 3.0) -> None:
        self.server = server.strip()
        self.stun_timeout = timeout
        self.timeout = timeout * 2 + 0.5  # name resolution, then the Binding transaction

    def run(self) -> Mapping[str, Value]:
        if not self.server:
            return {"network.stun": NO_STUN_SERVER}
        from capture_app.core.environment.reachability import stun_binding

        return {"network.stun": _step_value(stun_binding(self.server, timeout=self.stun_timeout))}
