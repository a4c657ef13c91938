"""Alt+F4 closes the app's windows also when the window manager leaves the key to the window.

Qt's offscreen platform has no window manager: the key reaches the window, as it does on a
desktop whose window manager is busy or does not bind Alt+F4.
"""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

pytestmark = pytest.mark.gui


def active(qtbot, window) -> None:
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)


def key(qtbot, code, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(QApplication.focusWidget(), code, modifier)


def alt_f4(qtbot) -> None:
    key(qtbot, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier)


def test_alt_f4_closes_the_wizard_and_keeps_the_chosen_case_as_a_draft(controller, qtbot):
    wizard = controller.new_report()
    active(qtbot, wizard)
    key(qtbot, Qt.Key.Key_Down)  # from the search into the case list
    key(qtbot, Qt.Key.Key_Down)  # the first case: chosen, so there is a draft to keep
    assert wizard.report.triage.case_id
    alt_f4(qtbot)
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=5000)
    assert wizard.report.id not in controller.wizards
    assert [draft.id for draft in controller.store.list_drafts()] == [wizard.report.id]


def test_alt_f4_closes_the_main_window(controller, qtbot):
    window = controller.show_main_window()
    # The first start asks who is reporting, over the main window; Esc answers "later".
    qtbot.waitUntil(lambda: controller.identity_dialog is not None, timeout=5000)
    dialog = controller.identity_dialog
    active(qtbot, dialog)
    key(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    active(qtbot, window)
    alt_f4(qtbot)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
