"""This machine's facts in the report: labels, the advisor side they describe, and exclusions.

The probes (``core.probes``) collect; this module decides what the collection means for the
report: which values fill the advisor's side when the agent works on the advisor's own machine,
and which fields stay out because the agent (or the organisation) excluded them before.
Exclusions are remembered in the setting ``system_info.excluded``; an organisation that locks
it decides for everyone which facts never leave the machine.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from capture_app.core.environment.probes.base import Unknown, Value, render_value
from capture_app.core.platform.config import Text
from capture_app.core.platform.i18n import has, tr
from capture_app.core.report.model import Report

EXCLUDED_SETTING = "system_info.excluded"


def field_label(key: str, language: str | None = None) -> str:
    """``"os.version"`` → "Version des Betriebssystems"; unknown keys are shown as they are."""
    label_key = f"probes.field.{key}"
    return tr(label_key, language=language) if has(label_key, language) else key


def remembered_exclusions(config: Any) -> set[str]:
    try:
        return set(config.get(EXCLUDED_SETTING) or [])
    except (KeyError, AttributeError):
        return set()


def exclusions_locked(config: Any) -> bool:
    try:
        return bool(config.is_locked(EXCLUDED_SETTING))
    except (KeyError, AttributeError):
        return False


def remember_exclusions(config: Any, excluded: Iterable[str]) -> None:
    """Store the agent's choice for later reports; raises ``ConfigError`` (locked, unwritable)."""
    config.set_user(EXCLUDED_SETTING, sorted(set(excluded)))


def apply_collection(report: Report, values: Mapping[str, str], remembered: Iterable[str]) -> None:
    """Put freshly collected values into the report; fields excluded before stay excluded."""
    report.system.values = dict(values)
    excluded = (set(report.system.excluded) | set(remembered)) & set(values)
    report.system.excluded = sorted(excluded)


def _text(value: Value | None) -> str:
    if value is None or isinstance(value, Unknown):
        return ""
    return render_value(value)


def advisor_side(values: Mapping[str, Value], language: str | None = None) -> dict[str, str]:
    """Environment fields of the advisor's side from this machine's probes (only known ones).

    The browser is the default browser with its installed version: the one a link from the
    Flexperto invitation opens in. The agent can change it if the advisor uses another.
    """
    fields: dict[str, str] = {}
    device = values.get("device.type")
    if isinstance(device, Text) and device.key.startswith("ui.device."):
        fields["device_type"] = device.key.rsplit(".", 1)[1]
    name = _text(values.get("os.name"))
    if name:
        fields["os"] = name
    version, build = _text(values.get("os.version")), _text(values.get("os.build"))
    if version or build:
        fields["os_version"] = (tr("probes.value.version_build", language=language, version=version,
                                   build=build) if version and build else version or build)
    from capture_app.core.environment.probes.browsers import BROWSERS

    default = _text(values.get("browsers.default"))
    browser_id = next((bid for bid, shown in BROWSERS.items() if shown == default), None)
    if browser_id is None:  # no default known: the only installed browser, if there is one
        installed = [bid for bid in BROWSERS if _text(values.get(f"browsers.{bid}"))]
        browser_id = installed[0] if len(installed) == 1 else None
    if browser_id is not None:
        fields["browser"] = BROWSERS[browser_id]
        browser_version = _text(values.get(f"browsers.{browser_id}"))
        if browser_version:
            fields["browser_version"] = browser_version.split(";")[0].strip()
    return fields
