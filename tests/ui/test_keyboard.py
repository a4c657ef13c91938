"""The wizard works by keyboard alone: choose a case, fill the form with Tab, go on with Alt+W."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from capture_app.core.wizard.steps import Step

pytestmark = pytest.mark.gui


def type_text(text: str) -> None:
    for char in text:
        for kind in (QEvent.KeyPress, QEvent.KeyRelease):
            QApplication.sendEvent(QApplication.focusWidget(),
                                   QKeyEvent(kind, Qt.Key_unknown, Qt.NoModifier, char))


def key(qtbot, code, modifier=Qt.NoModifier) -> None:
    qtbot.keyClick(QApplication.focusWidget(), code, modifier)


def test_keyboard_only_from_triage_to_time_step(controller, qtbot):
    window = controller.new_report()
    qtbot.addWidget(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    triage = window.pages[Step.TRIAGE]
    assert QApplication.focusWidget() is triage.search  # the wizard opens ready to type the problem
    key(qtbot, Qt.Key_Down)  # arrow down leaves the search box for the case list
    assert QApplication.focusWidget() is triage.tree
    for _ in range(40):  # arrow down through the catalogue to the generic 2nd-level case
        if window.report.triage.case_id == "other_technical":
            break
        key(qtbot, Qt.Key_Down)
    assert window.report.triage.case_id == "other_technical"

    key(qtbot, Qt.Key_W, Qt.AltModifier)  # "&Weiter" (a mnemonic clicks after a short animation)
    qtbot.waitUntil(lambda: window.current is Step.DETAILS, timeout=2000)
    details = window.pages[Step.DETAILS]
    assert QApplication.focusWidget() is details.field_widget("summary")
    type_text("Kunde hört den Berater nicht")
    key(qtbot, Qt.Key_Tab)
    assert QApplication.focusWidget() is details.field_widget("description.affected")
    key(qtbot, Qt.Key_Down)  # first real entry after "– bitte wählen –"
    assert window.report.description.affected == "advisor"
    key(qtbot, Qt.Key_Tab)
    key(qtbot, Qt.Key_Tab)
    assert QApplication.focusWidget() in (details.field_widget("description.area"),
                                          details.field_widget("description.area").lineEdit())
    type_text("Videoberatung")
    for _ in range(4):  # URL, instance, meeting reference, then the description box
        key(qtbot, Qt.Key_Tab)
    assert QApplication.focusWidget() is details.field_widget("description.what")
    type_text("Ton fällt nach dem Start der Beratung aus.")
    key(qtbot, Qt.Key_Tab)  # Tab leaves a multi-line box instead of inserting a tab
    assert "\t" not in window.report.description.what
    assert window.report.summary == "Kunde hört den Berater nicht"
    assert window.report.description.area == "Videoberatung"

    key(qtbot, Qt.Key_W, Qt.AltModifier)
    qtbot.waitUntil(lambda: window.current is Step.TIME, timeout=2000)
    key(qtbot, Qt.Key_Z, Qt.AltModifier)  # "&Zurück"
    qtbot.waitUntil(lambda: window.current is Step.DETAILS, timeout=2000)
