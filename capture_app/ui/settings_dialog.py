"""The agent's own settings, built from the declarations in ``resources/settings.toml``.

The sections are tabs, each scrolling on its own, and the buttons stay at the bottom: on a
1280×720 laptop the dialog fits the screen and *Speichern*, *Abbrechen* and *Verbindung
testen* are always in view.
"""
from __future__ import annotations

from typing import cast

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from capture_app.core.platform.config import ConfigError, settings_table
from capture_app.core.platform.i18n import LANGUAGES, tr
from capture_app.ui.platform.screen_fit import resize_to_fit

# What an agent sets for themselves; support contact, hours and limits are the organisation's.
AGENT_SECTIONS = ("ui", "hotkey", "reporter", "flexperto", "project_lead")
# Settings of other sections that belong to one of the agent's (the STUN server of the
# Flexperto platform, which the Umgebung step's UDP test uses).
EXTRA_KEYS = {"system_info.stun_server": "flexperto"}
# Tab → the sections shown on it.
TABS = (("general", ("ui", "hotkey", "flexperto")), ("reporter", ("reporter",)),
        ("project_lead", ("project_lead",)))
PREFERRED_SIZE = (760, 640)


def scrolling(content: QWidget) -> QScrollArea:
    """``content`` in a scroll area without a frame: a tab as tall as the screen allows."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(content)
    return area


def setting_editor_label(setting, editor: QWidget, locked: bool) -> QLabel:
    """The row's label, and the editor named, described and (when locked) disabled."""
    label = QLabel(setting.label())
    label.setBuddy(editor)
    editor.setAccessibleName(setting.label())
    editor.setAccessibleDescription(setting.description())
    editor.setToolTip(setting.description())
    if locked:
        editor.setEnabled(False)
        editor.setToolTip(tr("ui.settings.locked"))
        editor.setAccessibleDescription(tr("ui.settings.locked"))
    return label


class SettingsDialog(QDialog):
    def __init__(self, config, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.language_changed = False
        self.setWindowTitle(tr("ui.settings.title"))
        self.setAccessibleName(tr("ui.settings.title"))
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(tr("ui.settings.sections"))
        layout.addWidget(self.tabs, 1)
        self.editors: dict[str, QWidget] = {}
        forms = self._build_agent_tabs()
        for key, section in EXTRA_KEYS.items():
            self._add_setting(forms[section], key, settings_table()[key])
        from capture_app.ui.hours.reminder_settings import StartupAndRemindersBox

        self.startup_box = StartupAndRemindersBox(config, self)
        self.startup_tab = scrolling(self.startup_box)
        self.tabs.addTab(self.startup_tab, tr("tray.settings_box"))
        self._build_sending_tab()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("ui.settings.save"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("ui.settings.cancel"))
        for button in buttons.buttons():
            button.setAccessibleName(button.text().replace("&", ""))
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.buttons = buttons
        resize_to_fit(self, *PREFERRED_SIZE)

    # -- building

    def _build_agent_tabs(self) -> dict[str, QFormLayout]:
        table = settings_table()
        forms: dict[str, QFormLayout] = {}
        for tab, sections in TABS:
            page = QWidget()
            page_layout = QVBoxLayout(page)
            for section in sections:
                box = QGroupBox(tr(f"ui.settings.section_{section}"))
                forms[section] = QFormLayout(box)
                page_layout.addWidget(box)
            page_layout.addStretch(1)
            self.tabs.addTab(scrolling(page), tr(f"ui.settings.tab_{tab}"))
        for key, setting in table.items():
            if setting.section in forms and setting.type in ("str", "choice"):
                self._add_setting(forms[setting.section], key, setting)
        return forms

    def _add_setting(self, form: QFormLayout, key: str, setting) -> None:
        editor = self._editor(key, setting)
        form.addRow(setting_editor_label(setting, editor, self.config.is_locked(key)), editor)
        self.editors[key] = editor

    def _build_sending_tab(self) -> None:
        """Versand: the form scrolls, "Verbindung testen" and its result stay below it."""
        from capture_app.ui.sending.transport_settings import TransportSettings

        self.transport_box = box = TransportSettings(self.config, parent=self)
        tab = QWidget()
        tab_layout = QVBoxLayout(tab)
        tab_layout.addWidget(scrolling(box), 1)
        for inner in box.findChildren(QLayout):
            inner.removeWidget(box.test_button)
            inner.removeWidget(box.result)
        row = QHBoxLayout()
        row.addWidget(box.test_button)
        row.addWidget(box.result, 1)
        tab_layout.addLayout(row)
        # Only the chosen way of sending counts for the height: the ticket system's long form
        # must not leave a screen of empty space under the e-mail program's single hint.
        box.stack.currentChanged.connect(lambda _index: self._fit_stack(box.stack))
        self._fit_stack(box.stack)
        self.sending_tab = tab
        self.tabs.addTab(tab, tr("ui.settings.tab_sending"))

    @staticmethod
    def _fit_stack(stack) -> None:
        for index in range(stack.count()):
            page = stack.widget(index)
            shown = page is stack.currentWidget()
            page.setSizePolicy(QSizePolicy.Policy.Preferred if shown else QSizePolicy.Policy.Ignored,
                               QSizePolicy.Policy.Preferred if shown else QSizePolicy.Policy.Ignored)
        stack.updateGeometry()

    def _editor(self, key: str, setting) -> QWidget:
        value = self.config.get(key)
        if setting.type == "choice":
            combo = QComboBox()
            for choice in setting.choices or ():
                combo.addItem(LANGUAGES.get(choice, choice) if key == "ui.language" else choice, choice)
            combo.setCurrentIndex(max(combo.findData(value), 0))
            return combo
        edit = QLineEdit(value or "")
        return edit

    def show_tab_of(self, key: str) -> None:
        """Bring the tab holding the setting ``key`` to the front and put the cursor in it."""
        editor = self.editors.get(key)
        if editor is None:
            return
        for index in range(self.tabs.count()):
            tab = self.tabs.widget(index)
            if tab is not None and tab.isAncestorOf(editor):
                self.tabs.setCurrentIndex(index)
                break
        editor.setFocus()

    # -- saving

    @staticmethod
    def _value(editor: QWidget):
        return (editor.currentData() if isinstance(editor, QComboBox)
                else cast(QLineEdit, editor).text().strip())

    def _save(self) -> None:
        changed = {key: self._value(editor) for key, editor in self.editors.items()
                   if editor.isEnabled() and self._value(editor) != self.config.get(key)}
        for key, value in changed.items():
            try:
                self.config.set_user(key, value)
            except ConfigError as exc:
                QMessageBox.warning(self, tr("ui.settings.title"), exc.message())
                self.show_tab_of(key)
                return
        # "or": a second press of Save (after a start-up problem) still rebuilds the windows.
        self.language_changed = self.language_changed or "ui.language" in changed
        problem = self.startup_box.save()
        if problem:
            self.tabs.setCurrentWidget(self.startup_tab)
            QMessageBox.warning(self, tr("ui.settings.title"), problem)
            return
        problem = self.transport_box.save()
        if problem:
            self.tabs.setCurrentWidget(self.sending_tab)
            QMessageBox.warning(self, tr("ui.settings.title"), problem)
            return
        self.accept()
