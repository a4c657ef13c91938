"""Settings → Versand: how reports are sent, the server's data, and "Verbindung testen".

Only what the chosen way of sending needs is shown: for a helpdesk profile the address, the
account, its password/token and the queue/group (Jira: also the request type); the sign-in kind,
a token header, form-field names and the ticket-number path exist only for the generic form
upload, and even there the technical ones stay behind "Technische Einstellungen". The
organisation file can lock any of them (``locked``) or hide them (``sending.hidden_settings``,
best locked as well). Passwords and tokens are typed here and
go straight into the OS keyring (or, without one, into memory for this run) — never into the
settings file. "Verbindung testen" tries the values as they are in the form, before saving: it
connects, verifies TLS and signs in, but sends no report.
"""
from __future__ import annotations

from typing import Any, cast

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from capture_app.core.platform.config import ConfigError, settings_table
from capture_app.core.platform.i18n import tr

PAGES = {
    "mail_client": (),
    "smtp": ("smtp.host", "smtp.port", "smtp.security", "smtp.user", "#smtp_password", "smtp.sender",
             "smtp.max_message_mb"),
    "http": ("http.profile", "http.endpoint", "http.auth", "http.user", "http.token_header",
             "#http_secret", "http.queue", "http.request_type",
             "http.constant_fields", "http.priority_field", "http.priority_map",
             "http.field_title", "http.field_body", "http.field_email", "http.field_files",
             "http.field_json", "http.field_bundle", "http.ticket_id_path", "http.files_path",
             "http.file_name_field", "http.file_size_field", "http.file_sha256_field",
             "http.readback_url", "http.upload_url", "http.timeout_seconds",
             "http.max_upload_mb", "network.proxy", "network.proxy_user", "#proxy_password"),
    "export": ("export.folder",),
}
GENERAL = ("sending.transport", "sending.retention_days")
# Shown only with "Technische Einstellungen" ticked: what IT sets up once, not the agent.
TECHNICAL = {"http.constant_fields", "http.priority_field", "http.priority_map", "http.field_title",
             "http.field_body", "http.field_email", "http.field_files", "http.field_json",
             "http.field_bundle", "http.ticket_id_path", "http.timeout_seconds", "http.max_upload_mb",
             "http.files_path", "http.file_name_field", "http.file_size_field", "http.file_sha256_field",
             "http.readback_url", "http.upload_url",
             "network.proxy", "network.proxy_user", "#proxy_password", "smtp.max_message_mb"}
# Only for the generic form upload.
GENERIC_ONLY = {"http.auth", "http.token_header", "http.constant_fields", "http.priority_field",
                "http.priority_map", "http.field_title", "http.field_body", "http.field_email",
                "http.field_files", "http.field_json", "http.field_bundle", "http.ticket_id_path",
                "http.files_path", "http.file_name_field", "http.file_size_field", "http.file_sha256_field",
                "http.readback_url", "http.upload_url"}


def needed(key: str, values) -> bool:
    """Whether the way of sending in ``values`` (a mapping with ``get``) needs ``key`` at all."""
    profile = values.get("http.profile") or "generic"
    generic = profile == "generic"
    auth = values.get("http.auth")
    if key in GENERIC_ONLY and not generic:
        return False
    if key == "http.token_header":
        return auth == "header"
    if key == "http.user":
        return not generic or auth == "basic"
    if key == "#http_secret":
        return not generic or auth != "none"
    if key == "http.queue":
        return not generic
    if key == "http.request_type":
        return profile == "jira_service_management"
    if key in ("network.proxy_user", "#proxy_password"):
        return bool(values.get("network.proxy"))
    return True
SECRET_LABELS = {"#smtp_password": "sending.settings.smtp_password", "#http_secret": "sending.settings.http_secret",
                 "#proxy_password": "sending.settings.proxy_password"}


class _Overlay:
    """The settings as the form shows them, for trying before saving."""

    def __init__(self, config, values: dict) -> None:
        self._config = config
        self._values = values

    def get(self, key: str):
        return self._values[key] if key in self._values else self._config.get(key)


class _TypedSecrets:
    """The keyring's secrets, with what was just typed in the form taking precedence."""

    def __init__(self, base, typed: dict) -> None:
        self._base = base
        self._typed = typed

    def get(self, account: str):
        return self._typed.get(account) or self._base.get(account)

    def has(self, account: str) -> bool:
        return self.get(account) is not None


class TransportSettings(QGroupBox):
    def __init__(self, config, secrets=None, run=None, parent: QWidget | None = None) -> None:
        super().__init__(tr("sending.settings.section"), parent)
        from capture_app.core.platform.secrets import shared_store

        self.config = config
        self.secrets = secrets if secrets is not None else shared_store()
        self.run = run
        self.editors: dict[str, QWidget] = {}
        self.secret_fields: dict[str, QLineEdit] = {}
        self.last_check: str = ""
        table = settings_table()
        layout = QVBoxLayout(self)
        general = QFormLayout()
        for key in GENERAL:
            general.addRow(*self._row(key, table[key]))
        layout.addLayout(general)
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {}
        self.rows: dict[str, tuple[QFormLayout, QWidget]] = {}  # key → (its form, its field)
        self.hidden = set(config.get("sending.hidden_settings") or ())
        self._build_pages(table)
        layout.addWidget(self.stack)
        self.technical = QCheckBox(tr("sending.settings.technical"))
        self.technical.setAccessibleName(tr("sending.settings.technical").replace("&", ""))
        self.technical.setToolTip(tr("sending.settings.technical_hint"))
        self.technical.toggled.connect(lambda _on: self._show_rows())
        layout.addWidget(self.technical)
        self.keyring_hint = QLabel(tr("sending.settings.keyring_ok") if self.secrets.persistent
                                   else tr("sending.settings.keyring_missing"))
        self.keyring_hint.setWordWrap(True)
        layout.addWidget(self.keyring_hint)
        layout.addLayout(self._build_test_row())
        cast(QComboBox, self.editors["sending.transport"]).currentIndexChanged.connect(self._show_page)
        for key in ("http.profile", "http.auth"):
            cast(QComboBox, self.editors[key]).currentIndexChanged.connect(lambda _i: self._show_rows())
        cast(QLineEdit, self.editors["network.proxy"]).textChanged.connect(lambda _t: self._show_rows())
        self._show_page()

    # -- building

    def _build_pages(self, table: Any) -> None:
        """One page of fields per way of sending, in the stack."""
        for kind, keys in PAGES.items():
            page = QWidget()
            form = QFormLayout(page)
            form.setContentsMargins(0, 0, 0, 0)
            if kind == "mail_client":
                hint = QLabel(tr("sending.settings.mail_client_hint"))
                hint.setWordWrap(True)
                form.addRow(hint)
            for key in keys:
                if key.startswith("#"):
                    label, field = self._secret_row(key)
                elif key == "export.folder":
                    label, field = self._folder_row(key, table[key])
                else:
                    label, field = self._row(key, table[key])
                form.addRow(label, field)
                self.rows[key] = (form, field)
            self.stack.addWidget(page)
            self.pages[kind] = page

    def _build_test_row(self) -> QHBoxLayout:
        """*Verbindung testen* and where its result is shown."""
        row = QHBoxLayout()
        self.test_button = QPushButton(tr("sending.settings.test"))
        self.test_button.setAccessibleName(tr("sending.settings.test").replace("&", ""))
        self.test_button.setToolTip(tr("sending.settings.test_hint"))
        self.test_button.clicked.connect(lambda: self.test_connection())
        row.addWidget(self.test_button)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setAccessibleName(tr("sending.settings.result"))
        row.addWidget(self.result, 1)
        return row

    def _row(self, key: str, setting) -> tuple[QLabel, QWidget]:
        value = self.config.get(key)
        editor: QWidget
        if setting.type == "choice":
            editor = combo = QComboBox()
            for choice in setting.choices or ():
                label_key = f"sending.settings.choice_{key.replace('.', '_')}_{choice}"
                combo.addItem(tr(label_key), choice)
            combo.setCurrentIndex(max(combo.findData(value), 0))
        elif setting.type == "int":
            editor = spin = QSpinBox()
            spin.setRange(int(setting.min if setting.min is not None else 0),
                          int(setting.max if setting.max is not None else 2**31 - 1))
            spin.setValue(int(value))
        elif setting.type == "list[str]":
            editor = QLineEdit("; ".join(value or ()))
            editor.setProperty("list", True)
        else:
            editor = QLineEdit(value or "")
        return self._label(key, setting, editor), editor

    def _label(self, key: str, setting, editor: QWidget) -> QLabel:
        label = QLabel(setting.label())
        label.setBuddy(editor)
        editor.setAccessibleName(setting.label())
        editor.setAccessibleDescription(setting.description())
        editor.setToolTip(setting.description())
        if self.config.is_locked(key):
            editor.setEnabled(False)
            editor.setToolTip(tr("ui.settings.locked"))
            editor.setAccessibleDescription(tr("ui.settings.locked"))
        self.editors[key] = editor
        return label

    def _secret_row(self, key: str) -> tuple[QLabel, QWidget]:
        editor = QLineEdit()
        editor.setEchoMode(QLineEdit.EchoMode.Password)
        name = tr(SECRET_LABELS[key])
        editor.setAccessibleName(name)
        editor.setPlaceholderText(tr("sending.settings.secret_placeholder"))
        editor.setToolTip(tr("sending.settings.secret_hint"))
        editor.setAccessibleDescription(tr("sending.settings.secret_hint"))
        label = QLabel(name)
        label.setBuddy(editor)
        self.secret_fields[key] = editor
        return label, editor

    def _folder_row(self, key: str, setting) -> tuple[QLabel, QWidget]:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        edit = QLineEdit(self.config.get(key) or "")
        label = self._label(key, setting, edit)
        choose = QPushButton(tr("sending.settings.choose_folder"))
        choose.setAccessibleName(tr("sending.settings.choose_folder").replace("&", ""))
        choose.setEnabled(edit.isEnabled())

        def pick() -> None:
            folder = QFileDialog.getExistingDirectory(self, setting.label(), edit.text())
            if folder:
                edit.setText(folder)

        choose.clicked.connect(pick)
        row.addWidget(edit, 1)
        row.addWidget(choose)
        return label, holder

    def _show_page(self, *_args) -> None:
        kind = cast(QComboBox, self.editors["sending.transport"]).currentData()
        self.stack.setCurrentWidget(self.pages.get(kind, self.pages["mail_client"]))
        self.result.clear()
        self._show_rows()

    def _show_rows(self) -> None:
        """Show the fields the chosen way of sending needs (and the technical ones on request)."""
        current = _Overlay(self.config, {key: self._value(e) for key, e in self.editors.items()})
        kind = current.get("sending.transport")
        technical_here = False
        for key, (form, field) in self.rows.items():
            wanted = needed(key, current) and key not in self.hidden
            if key in TECHNICAL:
                technical_here = technical_here or (wanted and key in PAGES.get(kind, ()))
                wanted = wanted and self.technical.isChecked()
            form.setRowVisible(field, wanted)
        self.technical.setVisible(technical_here)

    def is_shown(self, key: str) -> bool:
        """The field for ``key`` is on screen for the chosen way of sending (tests, a11y)."""
        form, field = self.rows[key]
        page = form.parentWidget()
        return page is not None and page is self.stack.currentWidget() and field.isVisibleTo(page)

    # -- values

    @staticmethod
    def _value(editor: QWidget):
        if isinstance(editor, QComboBox):
            return editor.currentData()
        if isinstance(editor, QSpinBox):
            return editor.value()
        text = cast(QLineEdit, editor).text()
        if editor.property("list"):
            return [part.strip() for part in text.split(";") if part.strip()]
        return text.strip()

    def values(self) -> dict:
        return {key: self._value(editor) for key, editor in self.editors.items()
                if editor.isEnabled() and key not in self.hidden}

    def typed_secrets(self, values: dict | None = None) -> dict:
        """Account → Secret for every password/token typed into the form (for these values)."""
        from capture_app.core.platform.secrets import Secret
        from capture_app.core.sending.service import secret_needs

        overlay = _Overlay(self.config, values if values is not None else self.values())
        needs = {need.label_key: need.account for need in secret_needs(overlay)}
        by_field = {"#smtp_password": "sending.secret.smtp_password",
                    "#proxy_password": "sending.secret.proxy_password"}
        typed = {}
        for field, editor in self.secret_fields.items():
            text = editor.text()
            if not text:
                continue
            if field == "#http_secret":
                account = needs.get("sending.secret.http_token") or needs.get("sending.secret.http_password")
            else:
                account = needs.get(by_field[field])
            if account:
                typed[account] = Secret(text)
        return typed

    def save(self) -> str | None:
        """Write the changed settings and store typed secrets; an error message, or None."""
        values = self.values()
        for key, value in values.items():
            if value == self.config.get(key):
                continue
            try:
                self.config.set_user(key, value)
            except ConfigError as exc:
                self.editors[key].setFocus()
                return exc.message()
        try:
            for account, secret in self.typed_secrets(values).items():
                self.secrets.set(account, secret)
        except Exception as exc:  # noqa: BLE001 - a locked keyring: say so, keep the dialog open
            return exc.message() if hasattr(exc, "message") else tr(
                "ui.common.unexpected", reason=type(exc).__name__)
        for editor in self.secret_fields.values():
            editor.clear()
        return None

    # -- "Verbindung testen"

    def test_connection(self, on_done=None) -> None:
        from capture_app.core.sending.service import transport_from_config

        values = self.values()
        overlay = _Overlay(self.config, values)
        secrets = _TypedSecrets(self.secrets, self.typed_secrets(values))
        self.test_button.setEnabled(False)
        self.result.setText(tr("sending.settings.testing"))

        def work():
            return transport_from_config(overlay, secrets).check() or tr("sending.settings.test_ok")

        def done(text: str) -> None:
            self._show_result("✔ " + text, on_done)

        def failed(exc: BaseException) -> None:
            message = exc.message() if hasattr(exc, "message") else tr(
                "ui.common.unexpected", reason=type(exc).__name__)
            self._show_result("✖ " + message, on_done)

        run = self.run
        if run is None:
            from capture_app.ui.platform.tasks import run_in_background as run
        run(work, on_success=done, on_error=failed, parent=self)

    def _show_result(self, text: str, on_done) -> None:
        self.last_check = text
        self.result.setText(text)
        self.test_button.setEnabled(True)
        if on_done is not None:
            on_done(text)
