"""Every control has a name for screen readers, and no visible text is untranslated."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QTreeWidget,
    QWidget,
)

from capture_app.core.platform import i18n
from capture_app.core.wizard.steps import STEP_ORDER
from capture_app.ui.settings_dialog import SettingsDialog

pytestmark = pytest.mark.gui

CONTROLS = (QAbstractButton, QLineEdit, QPlainTextEdit, QComboBox, QDateTimeEdit, QAbstractItemView)


def all_windows(controller) -> list[QWidget]:
    controller.show_main_window()
    wizard = controller.new_report()
    for step in STEP_ORDER:
        wizard.page(step)
    settings = SettingsDialog(controller.config, controller.main_window)
    from capture_app.ui.identity_dialog import IdentityDialog

    identity = IdentityDialog(controller.config, controller.main_window)
    return [controller.main_window, wizard, settings, identity]


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
            unnamed.append(f"{type(widget).__name__} {widget.objectName()} in "
                           f"{type(widget.parent()).__name__}/{type(widget.window()).__name__}")
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


def answer_next_modal(qtbot, seen: list, answer) -> None:
    """When the next modal dialog is up, note its title and the texts of its buttons and labels,
    then ``answer(dialog)`` (a click, or a close) — as the agent would."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def look(tries: int = 0) -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            if tries < 200:
                QTimer.singleShot(25, lambda: look(tries + 1))
            return
        texts = [w.text().replace("&", "") for kind in (QAbstractButton, QLabel)
                 for w in dialog.findChildren(kind) if w.isVisible() and w.text()]
        seen.append((dialog.windowTitle(), texts))
        answer(dialog)

    QTimer.singleShot(0, look)


QT_TEXTS = {
    # language: (yes, no, the folder picker's "Look in:", its "Choose", its "Cancel")
    "de": ("Ja", "Nein", "Suchen in:", "Auswählen", "Abbrechen"),
    "en": ("Yes", "No", "Look in:", "Choose", "Cancel"),
}


@pytest.mark.parametrize("controller", ["de", "en"], indirect=True)
def test_qt_own_buttons_and_folder_picker_speak_the_ui_language(controller, qtbot):
    from factories import second_level_report
    from PySide6.QtWidgets import QDialog, QMessageBox

    yes, no, look_in, choose, cancel = QT_TEXTS[i18n.current_language()]
    controller.store.save(second_level_report())
    controller.show_main_window()
    main = controller.main_window
    main.table.selectRow(0)
    seen: list = []

    def say_no(box) -> None:
        [button] = [b for b in box.buttons() if box.buttonRole(b) == QMessageBox.NoRole]
        button.click()

    answer_next_modal(qtbot, seen, say_no)
    qtbot.mouseClick(main.delete_button, Qt.LeftButton)  # "Entwurf löschen?"
    [(_title, texts)] = seen
    assert yes in texts and no in texts
    assert len(controller.store.list_drafts()) == 1  # "No" kept it

    settings = SettingsDialog(controller.config, main)
    qtbot.addWidget(settings)
    box = settings.transport_box
    combo = box.editors["sending.transport"]
    combo.setCurrentIndex(combo.findData("export"))
    [pick] = [b for b in box.pages["export"].findChildren(QAbstractButton)]
    seen.clear()
    answer_next_modal(qtbot, seen, lambda dialog: dialog.reject())
    qtbot.mouseClick(pick, Qt.LeftButton)  # "Auswählen …" next to the export folder
    [(_title, texts)] = seen
    assert look_in in texts and choose in texts and cancel in texts
    assert settings.result() != QDialog.Accepted


def test_the_confirmation_after_in_postausgang_is_titled_for_what_happened(
        controller, qtbot, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QMessageBox
    from sendhelpers.reports import stored_report

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "information",
                        lambda parent, title, text, *args: shown.append((title, text)) or QMessageBox.Ok)
    controller.config.set_user("sending.transport", "export")
    controller.config.set_user("export.folder", str(tmp_path / "out"))
    report = stored_report(controller.store)
    window = controller.resume(report.id)
    page = window.pages[STEP_ORDER[-1]]
    qtbot.waitUntil(lambda: page.review is not None, timeout=10_000)
    qtbot.mouseClick(page.send_buttons.queue_button, Qt.LeftButton)  # "In Postausgang"
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    [(title, text)] = shown
    assert "Postausgang" in text
    assert title == "In den Postausgang gelegt"
    controller.sending.shutdown(10_000)


def test_screen_readers_hear_each_dropdown_by_its_label_not_its_value(controller):
    """What the accessibility bridge (AT-SPI on Linux) hands to a screen reader: the name."""
    from PySide6.QtGui import QAccessible

    windows = all_windows(controller)
    combos = [w for w in walk(windows) if isinstance(w, QComboBox) and w.window() in windows]
    assert len(combos) > 10
    wrong = []
    for combo in combos:
        interface = QAccessible.queryAccessibleInterface(combo)
        name, value = interface.text(QAccessible.Name), interface.text(QAccessible.Value)
        if not name or name != combo.accessibleName() or name == combo.currentText():
            wrong.append((combo.accessibleName(), name))
        if value != combo.currentText():
            wrong.append((combo.accessibleName(), "value", value))
    assert wrong == []


def test_the_problems_under_a_step_are_read_out_with_their_messages(controller, qtbot):
    from PySide6.QtGui import QAccessible

    wizard = controller.new_report()
    qtbot.mouseClick(wizard.next_button, Qt.LeftButton)  # nothing chosen yet: an error
    assert wizard.problems.isVisibleTo(wizard)
    interface = QAccessible.queryAccessibleInterface(wizard.problems)
    heard = interface.text(QAccessible.Name) + "\n" + interface.text(QAccessible.Description)
    assert "Hinweise zu diesem Schritt" in heard
    assert "Fehler: Bitte wählen Sie aus, worum es bei der Anfrage geht" in heard
    assert "<" not in heard  # the text, not its markup
