"""The Windows and macOS adapters of the step recorder over recorded answers of their APIs.

No Windows or macOS machine runs here: these check what the adapters make of what the APIs
answered on one (a click on Outlook, on Edge, on the macOS menu bar), not the calls themselves.
The clicked element's answers (fixtures/desktop_elements.json) have the shapes and values
Microsoft's UI Automation and Apple's Accessibility references give.
"""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import ClassVar

import pytest

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


# --- the clicked element --------------------------------------------------------------------

ELEMENTS = json.loads((Path(__file__).parent / "fixtures" / "desktop_elements.json").read_text())
NOWHERE = WindowInfo()


class ElementNotAvailable(Exception):
    """What comtypes raises (a COMError) for UIA_E_ELEMENTNOTAVAILABLE, 0x80040201."""


class RecordedUiaElement:
    def __init__(self, answers: dict):
        self._answers = answers

    def __getattr__(self, name: str):
        if "error" in self._answers:
            raise ElementNotAvailable(-2147220991, self._answers["error"])
        return self._answers[name]


class RecordedUia:
    """IUIAutomation::ElementFromPoint answering one recorded element (None: nothing there)."""

    def __init__(self, case: str | None):
        self.case = case
        self.asked = 0

    def element_from_point(self, x: int, y: int):
        self.asked += 1
        return None if self.case is None else RecordedUiaElement(ELEMENTS["uia"][self.case])

    def close(self):
        pass


def windows_element(case: str | None) -> tuple[str, str]:
    platform = WindowsPlatform(RecordedWin32(), RecordedUia(case))
    try:
        return platform.element_at(100, 100, platform.window_at(100, 100))
    finally:
        platform.close()


def test_windows_names_the_clicked_element_and_its_role_in_the_language_of_windows():
    assert windows_element("Outlook, German Windows 11: the ribbon's Neue E-Mail") == (
        "Neue E-Mail", "Schaltfläche")
    assert windows_element("Edge, English Windows 11: the page's Save button") == (
        "Save appointment", "button")
    assert windows_element("Outlook, German Windows 11: the search box") == ("Suchen", "Bearbeiten")


def test_windows_leaves_out_panes_and_groups_the_click_fell_between():
    assert windows_element("Outlook, German Windows 11: empty space in the ribbon group Neu") == (
        "", "")
    assert windows_element("Edge, German Windows 11: the space beside the page") == ("", "")


def test_windows_an_element_that_vanished_or_no_element_gives_none():
    assert windows_element("A menu closed before it was read") == ("", "")
    assert windows_element(None) == ("", "")


class HangingUia(RecordedUia):
    """A program that does not answer UI Automation until ``release`` is set."""

    def __init__(self):
        super().__init__("Outlook, German Windows 11: the ribbon's Neue E-Mail")
        self.release = threading.Event()

    def element_from_point(self, x: int, y: int):
        self.release.wait(20)
        return super().element_from_point(x, y)


def test_a_click_on_a_program_that_hangs_gets_no_element_and_recording_goes_on():
    uia = HangingUia()
    platform = WindowsPlatform(RecordedWin32(), uia)
    try:
        assert platform.element_at(100, 100, NOWHERE) == ("", "")  # while the call still hangs
        assert platform.element_at(120, 100, NOWHERE) == ("", "")  # not queued behind it
        assert not uia.release.is_set() and uia.asked == 0
        uia.release.set()
        for _ in range(200):  # bounded: once the program answers, clicks get elements again
            if platform.element_at(100, 100, NOWHERE) == ("Neue E-Mail", "Schaltfläche"):
                break
            time.sleep(0.02)
        else:
            pytest.fail("no element after the program answered again")
        assert uia.asked == 2  # the hanging call and the one that answered
    finally:
        uia.release.set()
        platform.close()


class RecordedAx:
    """The Accessibility API answering one recorded element (its case name is the handle)."""

    def __init__(self, case: str, *, trusted: bool = True, at_position: int = 0):
        self.case, self._trusted, self._at_position = case, trusted, at_position
        self.asked = 0

    def trusted(self) -> bool:
        return self._trusted

    def element_at(self, x: float, y: float):
        self.asked += 1
        return (0, self.case) if self._at_position == 0 else (self._at_position, None)

    def attribute(self, element: str, name: str):
        error, value = ELEMENTS["ax"][element][name]
        return error, value


def mac_element(ax: RecordedAx) -> tuple[str, str]:
    platform = MacPlatform(lambda: MAC_WINDOWS, ax)
    try:
        return platform.element_at(500, 400, platform.window_at(500, 400))
    finally:
        platform.close()


def test_macos_names_the_clicked_element_by_title_and_role_description():
    assert mac_element(RecordedAx("Mail, German macOS 14: the toolbar's Senden")) == (
        "Senden", "Taste")


def test_macos_an_element_without_title_is_named_by_its_description_or_text():
    assert mac_element(RecordedAx("Safari, English macOS 14: the Back button (an icon, no title)")
                       ) == ("Back", "button")
    assert mac_element(RecordedAx("Safari, German macOS 14: a label on the page")) == (
        "Termin speichern", "Text")


def test_macos_what_was_typed_into_a_text_field_never_becomes_its_name():
    name, role = mac_element(RecordedAx("Safari, German macOS 14: a text field the advisor typed into"))
    assert (name, role) == ("", "Textfeld")


def test_macos_leaves_out_groups_and_scroll_areas_the_click_fell_between():
    assert mac_element(RecordedAx("Mail, German macOS 14: empty space in the message list")) == (
        "", "")
    assert mac_element(RecordedAx("Safari, German macOS 14: the space between two buttons")) == (
        "", "")


def test_macos_without_the_accessibility_permission_nothing_is_asked_and_no_element_given():
    ax = RecordedAx("Mail, German macOS 14: the toolbar's Senden", trusted=False)
    assert mac_element(ax) == ("", "")
    assert ax.asked == 0


def test_macos_a_program_that_does_not_answer_gives_no_element():
    assert mac_element(RecordedAx("Finder, German macOS 14: a program that does not answer")) == (
        "", "")
    # kAXErrorCannotComplete already from the element lookup (the messaging timeout ran out)
    assert mac_element(RecordedAx("Mail, German macOS 14: the toolbar's Senden",
                                  at_position=-25204)) == ("", "")
