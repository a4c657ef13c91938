"""Every control has a name for screen readers, and no visible text is untranslated."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import (
    QAbstractButton, QAbstractItemView, QComboBox, QDateTimeEdit, QGroupBox, QLabel, QLineEdit,
    QPlainTextEdit, QTableWidget, QTreeWidget, QWidget,
)

from capture_app.core import i18n
from capture_app.core.wizard import STEP_ORDER
from capture_app.ui.settings_dialog import SettingsDialog

pytestmark = pytest.mark.gui

CONTROLS = (QAbstractButton, QLineEdit, QPlainTextEdit, QComboBox, QDateTimeEdit, QAbstractItemView)


def all_windows(controller) -> list[QWidget]:
    controller.show_main_window()
    wizard = controller.new_report()
    for step in STEP_ORDER:
        wizard.page(step)
    settings = SettingsDialog(controller.config, controller.main_window)
    return [controller.main_window, wizard, settings]


def visible_texts(widget: QWidget) -> list[str]:
    texts = [widget.windowTitle(), widget.toolTip(), widget.accessibleName(),
             widget.accessibleDescription()]
    if isinstance(widget, (QLabel, QAbstractButton)):
        texts.append(widget.text())
    if isinstance(widget, QGroupBox):
        texts.append(widget.title())
    if isinstance(widget, QLineEdit):
        texts.append(widget.placeholderText())
    if isinstance(widget, QComboBox):
        texts += [widget.itemText(i) for i in range(widget.count())]
    if isinstance(widget, QTreeWidget):
        for i in range(widget.topLevelItemCount()):
            top = widget.topLevelItem(i)
            texts += [top.text(0)] + [top.child(j).text(0) for j in range(top.childCount())]
    if isinstance(widget, QTableWidget):
        texts += [widget.horizontalHeaderItem(c).text() for c in range(widget.columnCount())]
    return [t for t in texts if t]


def walk(windows):
    for window in windows:
        yield window
        yield from window.findChildren(QWidget)


def test_every_control_has_an_accessible_name(controller):
    unnamed = []
    windows = all_windows(controller)
    for widget in walk(windows):
        if not isinstance(widget, CONTROLS) or widget.parent() is None:
            continue
        if widget.window() not in windows:
            continue  # a combo box's popup list: Qt names it after the combo box
        if type(widget).__name__.startswith("Q") and widget.objectName().startswith("qt_"):
            continue  # Qt's own internals (scroll bars' buttons, calendar popups)
        name = widget.accessibleName() or (widget.text() if isinstance(widget, QAbstractButton) else "")
        if not name.strip() and widget.focusPolicy() != 0:
            unnamed.append(f"{type(widget).__name__} {widget.objectName()} in {type(widget.parent()).__name__}/{type(widget.window()).__name__}")
    assert sorted(set(unnamed)) == []


@pytest.mark.parametrize("controller", ["de", "en"], indirect=True)
def test_no_visible_text_is_missing_or_in_the_other_language(controller):
    language = i18n.current_language()
    other = "en" if language == "de" else "de"
    mine, theirs = i18n.catalogue(language), i18n.catalogue(other)
    # Texts that differ between the languages and are long enough to be unambiguous.
    foreign = {theirs[k].replace("&", "") for k in theirs
               if theirs[k] != mine[k] and len(theirs[k]) > 6 and "{" not in theirs[k]}
    foreign -= set(i18n.LANGUAGES.values())  # language names are shown in their own language
    texts = [t.replace("&", "") for w in walk(all_windows(controller)) for t in visible_texts(w)]
    assert len(texts) > 150  # the walk really saw the UI
    assert [t for t in texts if "⟦" in t] == []
    assert sorted({t for t in texts if t in foreign}) == []


@pytest.mark.parametrize("controller", ["en"], indirect=True)
def test_english_ui_shows_english_wizard(controller):
    wizard = controller.new_report()
    assert wizard.windowTitle() == "Report a problem"
    assert wizard.next_button.text() == "&Next"
