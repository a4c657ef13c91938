"""The settings dialog's group for starting at login and for the reminders about support hours.

Built from the declarations in ``resources/settings.toml`` like the rest of the dialog; saving
the "start at login" switch also writes or removes the entry the operating system reads.
"""
from __future__ import annotations

from typing import cast

from PySide6.QtWidgets import QCheckBox, QFormLayout, QGroupBox, QLabel, QSpinBox, QWidget

from capture_app.core.platform.config import ConfigError, settings_table
from capture_app.core.platform.i18n import tr

AT_LOGIN = "startup.at_login"
MINUTES = "reminders.before_closing_minutes"
KEYS = (
    AT_LOGIN,
    "reminders.support_opens",
    "reminders.before_closing",
    "reminders.before_closing_minutes",
    "reminders.outside_hours",
    "reminders.snooze_minutes",
)


class StartupAndRemindersBox(QGroupBox):
    def __init__(self, config, parent: QWidget | None = None, autostart=None) -> None:
        super().__init__(tr("tray.settings_box"), parent)
        self.config = config
        self.autostart = autostart  # None: the one of this operating system, looked up on save
        form = QFormLayout(self)
        self.editors: dict[str, QWidget] = {}
        table = settings_table()
        for key in KEYS:
            setting = table[key]
            editor: QWidget
            if setting.type == "bool":
                editor = check = QCheckBox(setting.label())
                check.setChecked(bool(config.get(key)))
                form.addRow(editor)
            else:
                editor = spin = QSpinBox()
                spin.setRange(int(setting.min or 0), int(setting.max or 10_000))
                spin.setValue(int(config.get(key)))
                label = QLabel(setting.label())
                label.setBuddy(editor)
                form.addRow(label, editor)
            editor.setAccessibleName(setting.label())
            editor.setToolTip(setting.description())
            editor.setAccessibleDescription(setting.description())
            if config.is_locked(key):
                editor.setEnabled(False)
                editor.setToolTip(tr("ui.settings.locked"))
                editor.setAccessibleDescription(tr("ui.settings.locked"))
            self.editors[key] = editor
        minutes = self.editors[MINUTES]
        closing = cast(QCheckBox, self.editors["reminders.before_closing"])
        closing.toggled.connect(lambda on: minutes.setEnabled(on and not config.is_locked(MINUTES)))
        minutes.setEnabled(closing.isChecked() and not config.is_locked(MINUTES))

    def value(self, key: str):
        editor = self.editors[key]
        return editor.isChecked() if isinstance(editor, QCheckBox) else cast(QSpinBox, editor).value()

    def changes(self) -> dict:
        return {key: self.value(key) for key, editor in self.editors.items()
                if not self.config.is_locked(key) and self.value(key) != self.config.get(key)}

    def save(self) -> str | None:
        """Store the changed values and switch start at login; a message if something failed."""
        changes = self.changes()
        for key, value in changes.items():
            try:
                self.config.set_user(key, value)
            except ConfigError as exc:
                self.editors[key].setFocus()
                return exc.message()
        wanted = bool(self.config.get(AT_LOGIN))
        if AT_LOGIN not in changes and not wanted:
            return None  # an entry is only ever removed when the agent switches it off
        from capture_app.core.platform import autostart as autostart_module

        target = self.autostart or autostart_module.for_this_system()
        try:
            autostart_module.apply(target, wanted, autostart_module.launch_command())
        except autostart_module.AutostartError as exc:
            self.editors[AT_LOGIN].setFocus()
            return exc.message()
        return None

