"""macOS screen-recording permission: decisions on answers recorded from real Macs."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from capture_app.core.evidence.macos_permission import check_screen_access
from capture_app.core.evidence.screenshot import ScreenshotError, require_screen_access

RECORDED = json.loads((Path(__file__).parent / "fixtures" / "macos_screen_access.json").read_text())
MACHINES = {m["name"]: m for m in RECORDED["machines"]}


class RecordedMac:
    def __init__(self, name: str):
        self.machine = MACHINES[name]
        self.requests = 0

    def macos_version(self):
        return tuple(int(p) for p in self.machine["mac_ver"].split("."))

    def preflight(self):
        return self.machine["preflight"]

    def request(self):
        self.requests += 1
        return self.machine["request"]


def test_before_catalina_there_is_nothing_to_grant():
    mac = RecordedMac("Mojave, no permission system yet")
    assert check_screen_access(mac).granted
    require_screen_access(mac)  # does not raise
    assert mac.requests == 0


def test_a_granted_permission_lets_capture_go_ahead_without_asking():
    mac = RecordedMac("Sonoma, granted")
    assert check_screen_access(mac).granted
    require_screen_access(mac)
    assert mac.requests == 0


@pytest.mark.parametrize("name, pane, words_de, words_en", [
    ("Catalina, never asked", "privacy", "Sicherheit & Datenschutz → Datenschutz → Bildschirmaufnahme",
     "Security & Privacy → Privacy → Screen Recording"),
    ("Monterey, denied", "privacy", "Sicherheit & Datenschutz → Datenschutz → Bildschirmaufnahme",
     "Security & Privacy → Privacy → Screen Recording"),
    ("Ventura, denied", "privacy_security", "Datenschutz & Sicherheit → Bildschirmaufnahme",
     "Privacy & Security → Screen Recording"),
    ("Sequoia, denied", "screen_and_audio", "Datenschutz & Sicherheit → Bildschirm- & Systemaudioaufnahme",
     "Privacy & Security → Screen & System Audio Recording"),
])
def test_a_missing_permission_is_requested_once_and_explained_for_that_release(name, pane, words_de,
                                                                            words_en):
    mac = RecordedMac(name)
    access = check_screen_access(mac)
    assert not access.granted and access.settings == pane
    assert mac.requests == 1  # macOS shows its prompt and lists the app in the settings
    with pytest.raises(ScreenshotError) as caught:
        require_screen_access(RecordedMac(name))
    message = caught.value.message()
    assert words_de in message
    assert MACHINES[name]["mac_ver"] in message
    assert "neu" in message and "als Datei anhängen" in message  # restart; the fallback
    assert words_en in caught.value.message("en")
