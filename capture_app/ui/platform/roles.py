"""Qt's numbers without PySide6's ``Qt`` namespace, for code that runs before the first window.

Importing ``Qt`` (or calling anything that takes or returns one of its enums) builds every enum
of the namespace at once, about 30–40 ms. The start-up path (wizard window, triage page, task
runner) therefore uses these numbers, which are fixed by Qt's API, and sets enum-typed widget
settings through Qt's property system. A test checks every number against ``Qt``.
"""
from __future__ import annotations

ACCESSIBLE_TEXT_ROLE = 11  # Qt.ItemDataRole.AccessibleTextRole
USER_ROLE = 256  # Qt.ItemDataRole.UserRole
TEXT_WORD_WRAP = 0x1000  # Qt.TextFlag.TextWordWrap
QT_INT_MAX = 2**31 - 1  # the largest number a Qt int (e.g. a signal argument) carries

PLAIN_TEXT = 0  # Qt.TextFormat.PlainText
SELECTABLE_TEXT = 0x1 | 0x2  # Qt.TextSelectableByMouse | Qt.TextSelectableByKeyboard
ELIDE_NONE = 3  # Qt.TextElideMode.ElideNone
SCROLL_BAR_ALWAYS_OFF = 1  # Qt.ScrollBarPolicy.ScrollBarAlwaysOff
ALIGN_CENTER = 0x0084  # Qt.AlignmentFlag.AlignCenter
ALIGN_LEFT_VCENTER = 0x0001 | 0x0080  # Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
# The native windows of the tray icon's private widgets: Qt names a widget's window after it.
TRAY_ICON_WINDOW = "QSystemTrayIconSysWindow"
BALLOON_WINDOW = "QBalloonTipClassWindow"  # the message bubble where the desktop has no service


def plain_text(label, selectable: bool = False) -> None:
    """Show the label's text as typed, never as rich text (it may come from the agent or the
    organisation); optionally selectable by mouse and keyboard."""
    label.setProperty("textFormat", PLAIN_TEXT)
    if selectable:
        label.setProperty("textInteractionFlags", SELECTABLE_TEXT)


def full_width_text(view) -> None:
    """An item view whose texts wrap instead of being cut off or scrolled sideways."""
    view.setProperty("textElideMode", ELIDE_NONE)
    view.setProperty("horizontalScrollBarPolicy", SCROLL_BAR_ALWAYS_OFF)
