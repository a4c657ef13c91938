"""The one-click fix for a report that needs attention, shared by the outbox window and the
main window: which fix the reason calls for, what its button says, and doing it."""
from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from capture_app.core.platform.i18n import tr
from capture_app.core.sending.outbox import FIX_EDIT, FIX_SETTINGS, FIX_SHRINK

SETTINGS = "settings"  # the settings are the way out (password, address, profile)
EDIT = "edit"  # the report itself must change (too large, a file gone)
RETRY = "retry"  # send again (asks for a password the keyring does not have)


def fix_for(item) -> str:
    fix = item.error.fix if item.error is not None else ""
    if fix == FIX_SETTINGS:
        return SETTINGS
    if fix in (FIX_EDIT, FIX_SHRINK):
        return EDIT
    return RETRY


def fix_button_text(item) -> str:
    return {SETTINGS: tr("sending.outbox_ui.settings"), EDIT: tr("sending.outbox_ui.edit"),
            RETRY: tr("sending.outbox_ui.retry")}[fix_for(item)]


def retry(service, report_id: str, parent: QWidget) -> bool:
    """Send again now; False when the agent cancelled the password prompt."""
    from capture_app.ui.sending.send_actions import ask_for_secrets, present_sending

    if not ask_for_secrets(service, parent):
        return False
    present_sending(service, report_id, True, parent)
    return True


def back_to_drafts(service, report_id: str, parent: QWidget) -> bool:
    """Take the report out of the outbox into the drafts, to be edited; False if it failed."""
    try:
        service.outbox.to_draft(report_id)
    except Exception as exc:  # noqa: BLE001 - shown to the agent, nothing changed
        QMessageBox.warning(parent, tr("sending.outbox_ui.title"), error_text(exc))
        return False
    service.changed.emit()
    return True


def error_text(exc: BaseException) -> str:
    return exc.message() if hasattr(exc, "message") else tr(
        "ui.common.unexpected", reason=type(exc).__name__)
