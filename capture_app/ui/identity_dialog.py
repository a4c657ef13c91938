"""Who is reporting ("Meldende Person"): name, e-mail, organisation and phone of the agent.

Flexperto support calls or writes back to the person who reported, so every report carries
these. The first time the main window opens, the app asks for them once — prefilled from the
computer's account (core/platform/os_account.py) and from the organisation's file, which can also lock
the organisation. The agent can skip it; then Prüfen says what is missing and offers to fill
it in. `capture-app report`, for reporting right now, never stops to ask.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from capture_app.core.platform.config import ConfigError, settings_table
from capture_app.core.platform.i18n import tr
from capture_app.core.platform.os_account import current_account
from capture_app.ui.platform import theme
from capture_app.ui.platform.screen_fit import resize_to_fit
from capture_app.ui.settings_dialog import setting_editor_label

KEYS = ("reporter.name", "reporter.email", "reporter.organisation", "reporter.phone")
ASKED_MARKER = "reporter-asked"  # in the data folder: the first-start question was answered


def missing_fields(values) -> list[str]:
    """The keys of ``KEYS`` that ``values(key)`` leaves empty."""
    return [key for key in KEYS if not (values(key) or "").strip()]


def was_asked(paths) -> bool:
    return (paths.data_dir / ASKED_MARKER).exists()


def mark_asked(paths) -> None:
    try:
        paths.data_dir.mkdir(parents=True, exist_ok=True)
        (paths.data_dir / ASKED_MARKER).touch()
    except OSError:
        pass  # asked again next start: better than failing here


def should_ask(config, paths) -> bool:
    return not was_asked(paths) and bool(missing_fields(config.get))


class IdentityDialog(QDialog):
    saved = Signal()

    def __init__(self, config, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.setWindowTitle(tr("ui.identity.title"))
        self.setAccessibleName(tr("ui.identity.title"))
        layout = QVBoxLayout(self)
        intro = QLabel(tr("ui.identity.intro"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        account = current_account()
        prefill = {"reporter.name": account.name, "reporter.phone": account.phone}
        table = settings_table()
        self.editors: dict[str, QLineEdit] = {}
        for key in KEYS:
            editor = QLineEdit(config.get(key) or prefill.get(key, ""))
            form.addRow(setting_editor_label(table[key], editor, config.is_locked(key)), editor)
            self.editors[key] = editor
        layout.addLayout(form)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(tr("ui.identity.save"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.skip_button = buttons.addButton(tr("ui.identity.skip"), QDialogButtonBox.ButtonRole.RejectRole)
        self.skip_button.setToolTip(tr("ui.identity.skip_hint"))
        for button in (self.save_button, self.skip_button):
            button.setAccessibleName(button.text().replace("&", ""))
        self.save_button.setDefault(True)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        resize_to_fit(self, 560, self.sizeHint().height())
        first_empty = next((e for e in self.editors.values() if e.isEnabled() and not e.text()), None)
        (first_empty or self.save_button).setFocus()

    def save(self) -> None:
        for key, editor in self.editors.items():
            value = editor.text().strip()
            if not editor.isEnabled() or value == (self.config.get(key) or ""):
                continue
            try:
                self.config.set_user(key, value)
            except ConfigError as exc:
                QMessageBox.warning(self, tr("ui.identity.title"), exc.message())
                editor.setFocus()
                return
        self.saved.emit()
        self.accept()


class IdentityHint(QFrame):
    """On Prüfen: the report has no (complete) "Meldende Person" — and a button to fill it in."""

    def __init__(self, page, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page = page
        self.dialog: IdentityDialog | None = None
        self.setObjectName("identity_hint")
        self.setStyleSheet(theme.notice_style("QFrame#identity_hint"))
        row = QHBoxLayout(self)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(self.label, 1)
        self.fill_button = QPushButton(tr("ui.identity.fill"))
        self.fill_button.setAccessibleName(tr("ui.identity.fill").replace("&", ""))
        self.fill_button.clicked.connect(self.ask)
        row.addWidget(self.fill_button)
        self.setAccessibleName(tr("ui.identity.title"))
        self.hide()

    def text(self) -> str:
        return self.label.text()

    def refresh(self) -> None:
        report = self.page.report
        if report is None:
            self.hide()
            return
        reporter = report.reporter
        missing = missing_fields(lambda key: getattr(reporter, key.split(".", 1)[1], ""))
        if not missing:
            self.hide()
            return
        table = settings_table()
        names = ", ".join(table[key].label() for key in missing)
        self.label.setText(tr("ui.identity.missing", fields=names))
        self.setAccessibleDescription(self.label.text())
        self.show()

    def ask(self) -> None:
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = IdentityDialog(self.page.env.config, self.page.window())
        self.dialog.saved.connect(self._filled)
        self.dialog.show()

    def _filled(self) -> None:
        """Into this report what is now in the settings, where the report had nothing."""
        config, reporter = self.page.env.config, self.page.report.reporter
        for key in KEYS:
            name = key.split(".", 1)[1]
            if not getattr(reporter, name) and config.get(key):
                setattr(reporter, name, config.get(key))
        window = self.page.window()
        if hasattr(window, "mark_dirty"):
            window.mark_dirty()
        else:
            self.page.changed.emit()
        self.page.refresh()
