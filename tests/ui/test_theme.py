"""One visual system: the palette follows the desktop's light or dark scheme, icons are drawn
from their SVGs at every pixel ratio and in the palette's colours, and the app has its icon."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPalette

from capture_app.core.platform.resources import resource_path
from capture_app.ui.platform import icons, theme

pytestmark = pytest.mark.gui

LUCIDE = resource_path("icons", "lucide")


@pytest.fixture
def themed(qapp):
    """The theme as the app installs it; afterwards the application is as it was."""
    installed = theme.install(qapp)
    yield installed
    installed.remove()


def opaque(image: QImage) -> list[tuple[int, int, int]]:
    """(lightness, x, y) of every pixel that is drawn."""
    return [(image.pixelColor(x, y).lightness(), x, y)
            for x in range(image.width()) for y in range(image.height())
            if image.pixelColor(x, y).alpha() > 160]


def scheme_changes(qapp, scheme: Qt.ColorScheme) -> None:
    """What the desktop does when the agent switches between light and dark (Qt's offscreen
    platform cannot be switched, so its signal is sent as the desktop's platform sends it)."""
    qapp.styleHints().colorSchemeChanged.emit(scheme)
    qapp.processEvents()  # windows take the new palette from their event queue


def test_windows_turn_dark_and_light_with_the_desktops_scheme(themed, qapp, controller, qtbot):
    window = controller.show_main_window()
    qtbot.addWidget(window)
    scheme_changes(qapp, Qt.ColorScheme.Dark)
    palette = window.palette()
    assert palette.color(QPalette.ColorRole.Window).lightness() < 64
    assert palette.color(QPalette.ColorRole.WindowText).lightness() > 192
    assert palette.color(QPalette.ColorRole.Base).lightness() < 64
    # The support panel's icon is drawn again in the dark scheme's colours.
    image = window.support.icon.pixmap().toImage()
    assert max(opaque(image))[0] > 100
    text_icon = icons.icon("settings").pixmap(QSize(24, 24), 1.0).toImage()
    assert max(opaque(text_icon))[0] > 192  # light strokes on the dark window
    scheme_changes(qapp, Qt.ColorScheme.Light)
    assert window.palette().color(QPalette.ColorRole.Window).lightness() > 192
    text_icon = icons.icon("settings").pixmap(QSize(24, 24), 1.0).toImage()
    assert max(opaque(text_icon))[0] < 64  # dark strokes on the light window


def test_the_primary_button_keeps_its_accent_in_both_schemes(themed, qapp, controller, qtbot):
    window = controller.show_main_window()
    qtbot.addWidget(window)
    for scheme in (Qt.ColorScheme.Dark, Qt.ColorScheme.Light):
        scheme_changes(qapp, scheme)
        expected = theme.colours(scheme).accent
        assert window.report_button.palette().color(QPalette.ColorRole.Button).name() == expected


def test_the_theme_leaves_the_application_as_it_found_it(qapp):
    before = qapp.palette().color(QPalette.ColorRole.Window).name()
    installed = theme.install(qapp)
    installed.follow(Qt.ColorScheme.Dark)
    assert qapp.palette().color(QPalette.ColorRole.Window).name() == theme.DARK.window
    installed.remove()
    assert qapp.palette().color(QPalette.ColorRole.Window).name() == before


@pytest.mark.parametrize("name", sorted(p.stem for p in LUCIDE.glob("*.svg")))
def test_every_icon_is_drawn_at_1x_and_2x(qapp, name):
    icon = icons.icon(name)
    small = icon.pixmap(QSize(16, 16), 1.0)
    sharp = icon.pixmap(QSize(16, 16), 2.0)
    assert small.size() == QSize(16, 16) and small.devicePixelRatio() == 1.0
    assert sharp.size() == QSize(32, 32) and sharp.devicePixelRatio() == 2.0
    assert opaque(small.toImage())
    # Drawn again at twice the resolution (the same as the SVG drawn at 32 px), not the small
    # picture blown up.
    sharp_image = sharp.toImage()
    sharp_image.setDevicePixelRatio(1.0)
    assert sharp_image == icon.pixmap(QSize(32, 32), 1.0).toImage()
    assert sharp_image != small.toImage().scaled(QSize(32, 32))


def test_a_disabled_icon_is_drawn_dimmer(qapp):
    icon = icons.icon("trash-2")
    normal = icon.pixmap(QSize(24, 24), 1.0, QIcon.Mode.Normal).toImage()
    disabled = icon.pixmap(QSize(24, 24), 1.0, QIcon.Mode.Disabled).toImage()
    assert opaque(normal) and opaque(disabled)
    assert max(opaque(normal))[0] != max(opaque(disabled))[0]


def test_an_unknown_icon_fails_at_once(qapp):
    with pytest.raises(FileNotFoundError):
        icons.icon("no-such-icon")


def test_the_icon_sets_licence_ships_with_it():
    licence = (LUCIDE / "LICENSE").read_text(encoding="utf-8")
    assert "ISC License" in licence and "Lucide" in licence


def test_the_app_icon_is_sharp_at_2x(qapp):
    pixmap = icons.app_icon().pixmap(QSize(32, 32), 2.0)
    assert pixmap.size() == QSize(64, 64)
    assert len(opaque(pixmap.toImage())) > 64 * 64 // 2


@pytest.mark.parametrize("size", icons.APP_ICON_SIZES)
def test_the_app_icon_pictures_are_its_svg(qapp, size):
    """The PNGs the app shows are the SVG rendered (packaging/icons/render_pngs.py), not stale."""
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgRenderer

    expected = QImage(size, size, QImage.Format.Format_ARGB32)
    expected.fill(Qt.GlobalColor.transparent)
    painter = QPainter(expected)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(resource_path("icons", "report-capture.svg"))).render(painter)
    painter.end()
    shown = QImage(str(resource_path("icons", "app", f"report-capture-{size}.png")))
    shown = shown.convertToFormat(QImage.Format.Format_ARGB32)
    assert shown.size() == expected.size()
    worst = max(abs(a - b) for y in range(0, size, max(1, size // 64)) for x in range(size)
                for a, b in zip(QColor(shown.pixel(x, y)).getRgb(), QColor(expected.pixel(x, y)).getRgb(),
                                strict=True))
    assert worst <= 2


SVG_MODULE_AFTER_ICON = r"""
import sys
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication, QWidget
from capture_app.ui.platform import icons
app = QApplication(sys.argv[:1])
app.setWindowIcon(icons.app_icon())
window = QWidget()
window.show()
for size in (16, 32, 64):
    for ratio in (1.0, 1.5, 2.0):
        assert not icons.app_icon().pixmap(QSize(size, size), ratio).isNull()
app.processEvents()
with open("/proc/self/maps") as maps:
    print("libQt6Svg" in maps.read())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
def test_the_app_icon_does_not_load_qts_svg_module():
    """The tray app shows its icon all day; Qt's SVG module (~0.7 MB) waits for the wizard."""
    result = subprocess.run([sys.executable, "-c", SVG_MODULE_AFTER_ICON], capture_output=True,
                            text=True, timeout=60, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "False"


def test_fusion_everywhere_but_windows_11_and_macos(monkeypatch):
    assert theme.uses_native_style("darwin")
    assert not theme.uses_native_style("linux")
    monkeypatch.setattr(theme.QStyleFactory, "keys", staticmethod(lambda: ["windows11", "Fusion"]))
    assert theme.uses_native_style("win32")
    monkeypatch.setattr(theme.QStyleFactory, "keys", staticmethod(lambda: ["windowsvista", "Fusion"]))
    assert not theme.uses_native_style("win32")  # Windows 10: Fusion with the palette


def test_a_reminder_band_is_readable_in_dark_mode(themed, qapp, qtbot):
    from collections import Counter

    from capture_app.ui.hours.launcher import LauncherWindow

    scheme_changes(qapp, Qt.ColorScheme.Dark)
    launcher = LauncherWindow()
    qtbot.addWidget(launcher)
    launcher.show_reminder("Support ist wieder erreichbar", "2 Meldungen warten im Postausgang.")
    launcher.show()
    qtbot.waitExposed(launcher)
    image = launcher.banner.grab().toImage()
    colours = Counter(image.pixelColor(x, y).name()
                      for x in range(image.width()) for y in range(image.height()))
    background = QColor(colours.most_common(1)[0][0])
    assert background.lightness() < 100  # a dark band in a dark window, not a light yellow one
    assert any(QColor(name).lightness() > 180 for name in colours)  # with light text on it
    launcher.quit()
