"""The Windows and macOS adapters of the step recorder over recorded answers of their APIs.

No Windows or macOS machine runs here: these check what the adapters make of what the APIs
answered on one (a click on Outlook, on Edge, on the macOS menu bar), not the calls themselves.
"""
from __future__ import annotations

from typing import ClassVar

from capture_app.core.evidence.screenshot import Capture
from capture_app.core.evidence.step_windows import MacPlatform, WindowsPlatform, platform_for
from capture_app.core.evidence.steps import WindowInfo, mark_click


class RecordedWin32:
    """user32/kernel32 answers recorded on Windows 11 with Outlook and Edge open."""

    windows: ClassVar[dict[int, tuple[int, str]]] = {0x10_2A4: (9120, "Posteingang - anna@bank.example - Outlook"),
               0x20_0C8: (4400, "Termin anlegen – Flexperto – Microsoft Edge")}
    images: ClassVar[dict[int, str]] = {9120: r"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE",
              4400: r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe"}

    def window_from_point(self, x: int, y: int) -> int:
        return 0x10_2A4 if x < 1920 else 0x20_0C8

    def foreground_window(self) -> int:
        return 0x20_0C8

    def title(self, hwnd: int) -> str:
        return self.windows[hwnd][1]

    def process_id(self, hwnd: int) -> int:
        return self.windows[hwnd][0]

    def process_name(self, pid: int) -> str:
        return self.images[pid]


def test_windows_names_the_window_under_the_click_by_title_and_program():
    platform = WindowsPlatform(RecordedWin32())
    assert platform.window_at(100, 100) == WindowInfo(
        "Posteingang - anna@bank.example - Outlook", "OUTLOOK", 9120)
    assert platform.active_window() == WindowInfo(
        "Termin anlegen – Flexperto – Microsoft Edge", "msedge", 4400)


# CGWindowListCopyWindowInfo, front to back, recorded on macOS 14 (menu bar, then Safari over Mail).
MAC_WINDOWS = [
    {"kCGWindowLayer": 25, "kCGWindowOwnerName": "Kontrollzentrum", "kCGWindowOwnerPID": 310,
     "kCGWindowBounds": {"X": 0, "Y": 0, "Width": 1512, "Height": 33}},
    {"kCGWindowLayer": 0, "kCGWindowOwnerName": "Safari", "kCGWindowOwnerPID": 812,
     "kCGWindowName": "Termin anlegen – Flexperto",
     "kCGWindowBounds": {"X": 100, "Y": 60, "Width": 900, "Height": 700}},
    {"kCGWindowLayer": 0, "kCGWindowOwnerName": "Mail", "kCGWindowOwnerPID": 655,
     "kCGWindowBounds": {"X": 0, "Y": 33, "Width": 1512, "Height": 900}},
]


def test_macos_names_the_front_most_normal_window_containing_the_click():
    platform = MacPlatform(lambda: MAC_WINDOWS)
    assert platform.window_at(200, 10) == WindowInfo()  # the menu bar is no app's window
    assert platform.window_at(500, 400) == WindowInfo("Termin anlegen – Flexperto", "Safari", 812)
    assert platform.window_at(1200, 800) == WindowInfo("", "Mail", 655)
    assert platform.active_window() == WindowInfo("Termin anlegen – Flexperto", "Safari", 812)


def test_on_a_retina_monitor_the_click_is_marked_at_its_place_in_the_picture():
    capture = Capture(200, 100, bytes(200 * 100 * 4), 0, 0)  # 100×50 points at 2×
    pixels = mark_click(capture, 50, 25, scale=2.0)
    ring = (50 * 200 + 100 + 14) * 4  # 14 pixels right of (100, 50): on the ring
    assert pixels[ring:ring + 3] == bytes([0x00, 0x00, 0xE0])


def test_each_session_gets_its_desktops_adapter():
    assert type(platform_for("x11")).__name__ == "X11Platform"
    assert type(platform_for("macos")).__name__ == "MacPlatform"
    assert type(platform_for("wayland")).__name__ == "ScreenPlatform"
