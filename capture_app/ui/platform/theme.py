"""The app's one visual system: spacing grid, type scale, light and dark palette.

Windows 11 and macOS keep Qt's native style, which already draws in the system's colours and
follows its light or dark mode. Everywhere else Qt's Fusion style gets this palette, chosen by
the colour scheme the desktop reports (``QStyleHints.colorScheme``) and swapped whenever the
desktop switches (``colorSchemeChanged``). Widgets take their colours from the palette, so no
style sheet is set on the application.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QLayout, QStyleFactory, QWidget

# Spacing: every margin and gap is a multiple of GRID pixels.
GRID = 4


def space(units: int) -> int:
    """``units`` steps of the spacing grid, in pixels."""
    return units * GRID


def set_spacing(layout: QLayout, margin: int = 4, gap: int = 2) -> QLayout:
    """Outer margin and gap between items of ``layout``, in grid steps."""
    layout.setContentsMargins(space(margin), space(margin), space(margin), space(margin))
    layout.setSpacing(space(gap))
    return layout


# Type scale: sizes relative to the desktop's own font, so the agent's font settings still count.
TYPE_SCALE = {
    "caption": (0.9, QFont.Weight.Normal),
    "body": (1.0, QFont.Weight.Normal),
    "strong": (1.0, QFont.Weight.DemiBold),
    "title": (1.25, QFont.Weight.DemiBold),
    "headline": (1.5, QFont.Weight.Bold),
    "display": (1.75, QFont.Weight.Bold),
}


W = TypeVar("W", bound=QWidget)


def set_type(widget: W, role: str) -> W:
    """Give ``widget`` the font of ``role`` in the type scale."""
    factor, weight = TYPE_SCALE[role]
    font = QFont(QApplication.font())
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * factor)
    else:
        font.setPixelSize(round(font.pixelSize() * factor))
    font.setWeight(weight)
    widget.setFont(font)
    return widget


def make_primary(button: QWidget) -> None:
    """The one main action of a window: filled with the accent colour (again after a switch
    between light and dark, see ``Theme.follow``)."""
    c = colours()
    palette = button.palette()  # a copy (QPalette(…) would build all of Qt's enums, roles.py)
    palette.setColor(QPalette.ColorRole.Button, QColor(c.accent))
    palette.setColor(QPalette.ColorRole.ButtonText, QColor(c.on_accent))
    button.setPalette(palette)
    button.setProperty(PRIMARY, True)


def clear_primary(button: QWidget) -> None:
    """No longer the main action: the window's own colours again."""
    if button.property(PRIMARY):
        button.setPalette(QPalette())
        button.setProperty(PRIMARY, False)


PRIMARY = "reportCapturePrimary"


def notice_style(selector: str) -> str:
    """A notice band's look for a widget's own style sheet: the scheme's notice background with
    its text colour, so it stays readable in dark mode."""
    c = colours()
    return (f"{selector} {{ background: {c.notice}; color: {c.text};"
            f" border: 1px solid {c.warning}; }}")


def alert_style(selector: str) -> str:
    """Like ``notice_style``, for something that failed."""
    c = colours()
    return (f"{selector} {{ background: {c.notice}; color: {c.text};"
            f" border: 1px solid {c.error}; border-radius: {space(1)}px; }}")


def text_colour_style(role: str) -> str:
    """A label's text in one of the scheme's signal colours (``ok``, ``warning``, ``error``)."""
    return f"color: {getattr(colours(), role)};"


@dataclass(frozen=True)
class Colours:
    """The palette's colours plus the few signal colours widgets need (state, notices)."""

    window: str
    surface: str  # lists, text fields
    alternate: str
    text: str
    muted: str  # secondary text, placeholders
    button: str
    accent: str
    on_accent: str
    link: str
    border: str
    ok: str
    warning: str
    error: str
    notice: str  # background of a notice band
    disabled_text: str


LIGHT = Colours(window="#f4f5f7", surface="#ffffff", alternate="#eef0f3", text="#1b1f24",
                muted="#57606a", button="#e9ecf0", accent="#0b5cad", on_accent="#ffffff",
                link="#0b5cad", border="#c4cad3", ok="#1a7f37", warning="#8a5a00",
                error="#c62828", notice="#fff4ce", disabled_text="#8c959f")
DARK = Colours(window="#1d2025", surface="#15171b", alternate="#23272d", text="#e6e8eb",
               muted="#9aa3ad", button="#2c3139", accent="#4c9be8", on_accent="#0b0d10",
               link="#7ab8ff", border="#454c56", ok="#3fb950", warning="#d9a42b",
               error="#ff6b66", notice="#3a3012", disabled_text="#6e7681")


def is_dark(scheme) -> bool:
    """``scheme``: a ``Qt.ColorScheme``, or True/False for dark/light."""
    if isinstance(scheme, bool):
        return scheme
    # Qt's namespace is imported only here: building its enums costs start-up time (roles.py).
    from PySide6.QtCore import Qt

    return bool(scheme == Qt.ColorScheme.Dark)


def palette_is_dark(palette: QPalette) -> bool:
    return palette.window().color().lightness() < 128


def colours(scheme=None) -> Colours:
    """The colours for ``scheme`` (see ``is_dark``); without one, for the palette in use now."""
    if scheme is None:
        return DARK if palette_is_dark(QApplication.palette()) else LIGHT
    return DARK if is_dark(scheme) else LIGHT


def palette_for(scheme) -> QPalette:
    c = colours(scheme)
    role = QPalette.ColorRole
    palette = QPalette()
    for name, value in ((role.Window, c.window), (role.WindowText, c.text), (role.Base, c.surface),
                        (role.AlternateBase, c.alternate), (role.Text, c.text),
                        (role.Button, c.button), (role.ButtonText, c.text),
                        (role.BrightText, c.on_accent), (role.Highlight, c.accent),
                        (role.HighlightedText, c.on_accent), (role.Link, c.link),
                        (role.LinkVisited, c.link), (role.ToolTipBase, c.surface),
                        (role.ToolTipText, c.text), (role.PlaceholderText, c.muted),
                        (role.Accent, c.accent)):
        palette.setColor(name, QColor(value))
    window, border = QColor(c.window), QColor(c.border)
    palette.setColor(role.Light, window.lighter(130))
    palette.setColor(role.Midlight, window.lighter(115) if is_dark(scheme) else border.lighter(115))
    palette.setColor(role.Mid, border)
    palette.setColor(role.Dark, border.darker(150))
    palette.setColor(role.Shadow, QColor("#000000"))
    disabled = QPalette.ColorGroup.Disabled
    for name in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(disabled, name, QColor(c.disabled_text))
    palette.setColor(disabled, role.Highlight, border)
    return palette


def uses_native_style(platform: str = sys.platform) -> bool:
    """Windows 11 and macOS draw their own widgets (and follow their dark mode themselves)."""
    if platform == "darwin":
        return True
    if platform == "win32":
        styles = QStyleFactory.keys()
        return "windows11" in [key.lower() for key in styles]
    return False


class Theme(QObject):
    """Applies the palette to the application and keeps it in step with the desktop's scheme."""

    def __init__(self, app: QApplication, *, native: bool | None = None) -> None:
        super().__init__(app)
        self.app = app
        self.native = uses_native_style() if native is None else native
        self._previous = (app.style().name(), app.palette())  # a copy, as above
        # The platform's own palette is dark where the desktop is (Qt reads the scheme for it);
        # asking QStyleHints.colorScheme() here would build all of Qt's enums during start-up.
        self.dark = palette_is_dark(app.palette())
        if not self.native:
            if app.style().name().lower() != "fusion":
                app.setStyle(QStyleFactory.create("Fusion"))
            app.setPalette(palette_for(self.dark))
        app.styleHints().colorSchemeChanged.connect(self.follow)

    def follow(self, scheme) -> None:
        """The desktop switched between light and dark: so does every window."""
        self.dark = is_dark(scheme)
        if not self.native:
            self.app.setPalette(palette_for(self.dark))
            for widget in self.app.allWidgets():
                if widget.property(PRIMARY):
                    make_primary(widget)

    def remove(self) -> None:
        """Back to the style and palette the application had before."""
        self.app.styleHints().colorSchemeChanged.disconnect(self.follow)
        style, palette = self._previous
        if not self.native:
            self.app.setStyle(QStyleFactory.create(style) or self.app.style())
            self.app.setPalette(palette)
        self.setParent(None)


def install(app: QApplication) -> Theme:
    return Theme(app)
