"""The agent's own settings, built from the declarations in ``resources/settings.toml``."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QMessageBox,
    QVBoxLayout, QWidget,
)

from capture_app.core.config import ConfigError, settings_table
from capture_app.core.i18n import LANGUAGES, tr

# What an agent sets for themselves; support contact, hours and limits are the organisation's.
AGENT_SECTIONS = ("ui", "reporter", "flexperto", "project_lead")


class SettingsDialog(QDialog):
    def __init__(self, config, parent: QWidget | None = None):
        super().__init__(parent)
        self.config = config
        self.language_changed = False
        self.setWindowTitle(tr("ui.settings.title"))
        self.setAccessibleName(tr("ui.settings.title"))
        layout = QVBoxLayout(self)
        self.editors: dict[str, QWidget] = {}
        sections: dict[str, QFormLayout] = {}
        for key, setting in settings_table().items():
            if setting.section not in AGENT_SECTIONS or setting.type not in ("str", "choice"):
                continue
            if setting.section not in sections:
                box = QGroupBox(tr(f"ui.settings.section_{setting.section}"))
                sections[setting.section] = QFormLayout(box)
                layout.addWidget(box)
            editor = self._editor(key, setting)
            label = QLabel(setting.label())
            label.setBuddy(editor)
            editor.setAccessibleName(setting.label())
            editor.setAccessibleDescription(setting.description())
            editor.setToolTip(setting.description())
            if config.is_locked(key):
                editor.setEnabled(False)
                editor.setToolTip(tr("ui.settings.locked"))
                editor.setAccessibleDescription(tr("ui.settings.locked"))
            sections[setting.section].addRow(label, editor)
            self.editors[key] = editor
        from capture_app.ui.reminder_settings import StartupAndRemindersBox

        self.startup_box = StartupAndRemindersBox(config, self)
        layout.addWidget(self.startup_box)
        from capture_app.ui.transport_settings import TransportSettings

        self.transport_box = TransportSettings(config, parent=self)  # Versand, "Verbindung testen"
        layout.addWidget(self.transport_box)
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Save).setText(tr("ui.settings.save"))
        buttons.button(QDialogButtonBox.Cancel).setText(tr("ui.settings.cancel"))
        for button in buttons.buttons():
            button.setAccessibleName(button.text().replace("&", ""))
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

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

    @staticmethod
    def _value(editor: QWidget):
        return editor.currentData() if isinstance(editor, QComboBox) else editor.text().strip()

    def _save(self) -> None:
        changed = {key: self._value(editor) for key, editor in self.editors.items()
                   if editor.isEnabled() and self._value(editor) != self.config.get(key)}
        for key, value in changed.items():
            try:
                self.config.set_user(key, value)
            except ConfigError as exc:
                QMessageBox.warning(self, tr("ui.settings.title"), exc.message())
                self.editors[key].setFocus()
                return
        # "or": a second press of Save (after a start-up problem) still rebuilds the windows.
        self.language_changed = self.language_changed or "ui.language" in changed
        problem = self.startup_box.save()
        if problem:
            QMessageBox.warning(self, tr("ui.settings.title"), problem)
            return
        problem = self.transport_box.save()
        if problem:
            QMessageBox.warning(self, tr("ui.settings.title"), problem)
            return
        self.accept()
