"""Facts about this machine for the report: each probe small, bounded, and run concurrently.

    from capture_app.core.environment.probes import collect, default_probes
    collection = collect(default_probes(config))
    report.system.values = collection.rendered(language)

See ``base`` for the probe interface, ``collector`` for how they run, and ``host`` for the
adapters that let Windows and macOS detection be tested with recorded data.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from capture_app.core.environment.probes.base import (
    Probe,
    ProbeResult,
    Unknown,
    Value,
    render_value,
    unknown,
)
from capture_app.core.environment.probes.collector import Collection, collect
from capture_app.core.environment.probes.displays import Screen
from capture_app.core.environment.probes.host import Host

__all__ = ["Collection", "Host", "Probe", "ProbeResult", "Screen", "Unknown", "Value", "collect",
           "default_probes", "render_value", "unknown"]


def default_probes(config: Any = None, *, host: Host | None = None,
                   screens: Sequence[Screen] | None = None) -> list[Probe]:
    """Every probe for this machine; ``config`` (``core.config.Config``) names the Flexperto
    instance, the STUN server and the network timeout."""
    from capture_app.core.environment.probes.browsers import BrowsersProbe
    from capture_app.core.environment.probes.displays import DisplaysProbe
    from capture_app.core.environment.probes.media import CameraProbe, MicrophoneProbe
    from capture_app.core.environment.probes.network import InstanceReachabilityProbe, StunProbe
    from capture_app.core.environment.probes.proxy import ProxyProbe
    from capture_app.core.environment.probes.regional import LocaleProbe, TimeZoneProbe
    from capture_app.core.environment.probes.system import (
        AppProbe,
        DeviceTypeProbe,
        MemoryProbe,
        OperatingSystemProbe,
        ProcessorProbe,
    )

    host = host or Host.current()

    def setting(key: str, default: Any) -> Any:
        try:
            return config.get(key) if config is not None else default
        except KeyError:
            return default

    timeout = float(setting("system_info.network_timeout_s", 5))
    return [
        OperatingSystemProbe(host), DeviceTypeProbe(host), ProcessorProbe(host), MemoryProbe(host),
        DisplaysProbe(host, screens), LocaleProbe(host), TimeZoneProbe(host), AppProbe(),
        ProxyProbe(host), BrowsersProbe(host), CameraProbe(host), MicrophoneProbe(host),
        InstanceReachabilityProbe(setting("flexperto.instance_url", "") or "", step_timeout=timeout),
        StunProbe(setting("system_info.stun_server", "") or "", timeout=min(timeout, 5.0)),
    ]
