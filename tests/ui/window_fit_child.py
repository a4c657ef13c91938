"""A window of the app on a real X server, reporting where its buttons are (run by
test_window_fit.py).

    QT_QPA_PLATFORM=xcb DISPLAY=:N REPORT_CAPTURE_HOME=DIR python window_fit_child.py WINDOW LANG

WINDOW ``settings``: the settings dialog, every tab in turn and, on *Versand*, every way of
sending. WINDOW ``identity``: the first start's question who is reporting. Prints one JSON
line: the screen's free area as Qt sees it, and for every state the window's geometry and the
named buttons' rectangles in screen coordinates, with the part of each that is actually drawn
(a button scrolled out of view or cut off has less).
"""
from __future__ import annotations

import json
import sys

from capture_child import wait_for  # the sibling child script's polling helper
from PySide6.QtCore import QRect
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget


def rect(r: QRect) -> list[int]:
    return [r.x(), r.y(), r.width(), r.height()]


def button_place(button: QWidget) -> dict:
    top_left = button.mapToGlobal(button.rect().topLeft())
    drawn = button.visibleRegion().boundingRect()
    return {"visible": button.isVisible(), "rect": [top_left.x(), top_left.y(), button.width(),
                                                    button.height()],
            "drawn": [drawn.width(), drawn.height()]}


def snapshot(window: QWidget, buttons: dict[str, QWidget]) -> dict:
    QTest.qWait(100)
    QApplication.processEvents()
    return {"window": rect(window.geometry()),
            "minimum": [window.minimumSizeHint().width(), window.minimumSizeHint().height()],
            "buttons": {name: button_place(button) for name, button in buttons.items()}}


def settings_states(window) -> list[dict]:
    from PySide6.QtWidgets import QDialogButtonBox, QTabWidget

    box = window.transport_box
    button_box = window.findChild(QDialogButtonBox)
    buttons = {"save": button_box.button(QDialogButtonBox.Save),
               "cancel": button_box.button(QDialogButtonBox.Cancel)}
    tabs = window.findChild(QTabWidget)
    states = []
    for index in range(tabs.count() if tabs is not None else 0):
        tabs.setCurrentIndex(index)
        states.append({"state": tabs.tabText(index), **snapshot(window, buttons)})
        if tabs.currentWidget().isAncestorOf(box):
            sending = index
    if tabs is not None:
        tabs.setCurrentIndex(sending)
    combo = box.editors["sending.transport"]
    for index in range(combo.count()):
        combo.setCurrentIndex(index)
        states.append({"state": f"Versand: {combo.currentData()}",
                       **snapshot(window, {**buttons, "test": box.test_button})})
    return states


def main() -> None:
    which, language = sys.argv[1], sys.argv[2]
    app = QApplication(sys.argv[:1])
    from capture_app.core.platform import i18n
    from capture_app.core.platform.config import Config
    from capture_app.core.platform.paths import default_paths

    i18n.set_language(language)
    config = Config.load(default_paths())
    if which == "settings":
        from capture_app.ui.settings_dialog import SettingsDialog

        window = SettingsDialog(config)
        states = settings_states
    elif which == "identity":
        from PySide6.QtWidgets import QDialogButtonBox

        from capture_app.ui.identity_dialog import IdentityDialog

        window = IdentityDialog(config)

        def states(dialog) -> list[dict]:
            return [{"state": "Meldende Person",
                     **snapshot(dialog, {"save": dialog.save_button, "skip": dialog.skip_button})}]
        assert window.findChild(QDialogButtonBox) is not None
    else:
        raise SystemExit(f"unknown window {which}")
    window.show()
    assert wait_for(lambda: window.isVisible() and window.windowHandle().isExposed())
    free = app.primaryScreen().availableGeometry()
    print(json.dumps({"free": rect(free), "states": states(window)}), flush=True)
    window.close()


if __name__ == "__main__":
    main()
