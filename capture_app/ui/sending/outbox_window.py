"""The outbox window: every report on its way out, with state, attempts, next try and receipt.

What the agent can do depends on the state of the selected report:

* queued — "Jetzt senden" (don't wait for the next try), "Bearbeiten" (back into the drafts);
  with the mail program as the way of sending nothing is tried in the background: the report
  waits for the agent, and the window says so instead of showing a next try;
* handed over (to the mail program, or exported) — "Erneut öffnen" and "Als gesendet markieren";
  it is sent only when the agent says so;
* needs attention — the reason and the fix: "Einstellungen" (password, certificate, address),
  "Bearbeiten" (shrink or repair the report), "Erneut versuchen";
* sent — the receipt (when, how, where to, ticket number / Message-ID, SHA-256), and
  "Lokale Daten löschen" before the retention period ends;
* any but sending — "Löschen".
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from capture_app.core.platform.i18n import current_language, tr
from capture_app.ui.platform.close_key import close_on_alt_f4
from capture_app.ui.platform.headers import fit_columns
from capture_app.ui.platform.screen_fit import resize_to_fit

if TYPE_CHECKING:
    from capture_app.core.sending.outbox import OutboxItem

ID_ROLE = Qt.ItemDataRole.UserRole + 1


def _local(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%d.%m.%Y %H:%M")
    except (TypeError, ValueError):
        return stamp or "—"


class OutboxWindow(QWidget):
    edit_requested = Signal(str)  # report id, back in the drafts: open it in the wizard
    settings_requested = Signal()

    def __init__(self, service, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.service = service
        self.items: list[OutboxItem] = []
        self.needs_agent = False
        self.setWindowTitle(tr("sending.outbox_ui.title"))
        close_on_alt_f4(self)
        self.setAccessibleName(tr("sending.outbox_ui.title"))
        resize_to_fit(self, 900, 520)
        layout = QVBoxLayout(self)
        intro = QLabel(tr("sending.outbox_ui.intro"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([
            tr("sending.outbox_ui.col_report"), tr("sending.outbox_ui.col_state"), tr("sending.outbox_ui.col_attempts"),
            tr("sending.outbox_ui.col_next"), tr("sending.outbox_ui.col_receipt")])
        self.table.setAccessibleName(tr("sending.outbox_ui.list"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        fit_columns(self.table, 0)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table, 1)
        self.empty_hint = QLabel(tr("sending.outbox_ui.empty"))
        layout.addWidget(self.empty_hint)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.details.setAccessibleName(tr("sending.outbox_ui.details"))
        layout.addWidget(self.details)
        self.progress = QProgressBar()
        self.progress.setAccessibleName(tr("sending.outbox_ui.progress"))
        self.progress.setTextVisible(True)
        self.progress.hide()
        layout.addWidget(self.progress)
        row = QHBoxLayout()
        self.send_button = QPushButton(tr("sending.outbox_ui.send_now"))
        self.mark_sent_button = QPushButton(tr("sending.outbox_ui.mark_sent"))
        self.edit_button = QPushButton(tr("sending.outbox_ui.edit"))
        self.settings_button = QPushButton(tr("sending.outbox_ui.settings"))
        self.delete_button = QPushButton(tr("sending.outbox_ui.delete"))
        self.close_button = QPushButton(tr("sending.outbox_ui.close"))
        for button, handler in ((self.send_button, self.send_selected),
                                (self.mark_sent_button, self.mark_sent_selected),
                                (self.edit_button, self.edit_selected),
                                (self.settings_button, self.settings_requested.emit),
                                (self.delete_button, self.delete_selected),
                                (self.close_button, self.close)):
            button.setAccessibleName(button.text().replace("&", ""))
            button.clicked.connect(handler)
            row.addWidget(button)
        row.insertStretch(5, 1)
        layout.addLayout(row)
        service.changed.connect(self.refresh)
        service.progress.connect(self._progressed)
        self.refresh()

    # -- the list

    def refresh(self) -> None:
        try:
            self.items = self.service.outbox.items()
        except Exception as exc:  # noqa: BLE001 - say so in the window, keep it usable
            self.items = []
            self.details.setText(_message(exc))
        selected = self.selected_id()
        self.needs_agent = self.service.needs_agent()
        self.table.setRowCount(len(self.items))
        for row, item in enumerate(self.items):
            cells = (item.summary or tr("ui.main.untitled"), self._state_text(item),
                     str(item.attempts), self._next_text(item), self._receipt_cell(item))
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(ID_ROLE, item.report_id)
                if item.state == "needs_attention":
                    cell.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(row, column, cell)
            if item.report_id == selected:
                self.table.selectRow(row)
        if self.items and self.selected_id() is None:
            self.table.selectRow(0)
        self.table.setVisible(bool(self.items))
        self.empty_hint.setVisible(not self.items)
        self._selection_changed()

    @staticmethod
    def _state_text(item) -> str:
        if item.state == "queued" and item.ambiguous:
            return tr("sending.outbox_ui.state_maybe_arrived")
        if item.state == "sent" and item.receipt is not None and item.receipt.unchecked:
            return tr("sending.outbox_ui.state_accepted_unchecked")
        if item.local_data_deleted:
            return tr("sending.outbox_ui.state_receipt_only")
        if item.state == "handed_over" and item.handover is not None \
                and item.handover.transport == "export":
            return tr("sending.outbox_ui.state_handed_over_export")
        return tr(f"sending.outbox_ui.state_{item.state}")

    def _next_text(self, item) -> str:
        if item.state != "queued":
            return "—"
        if self.needs_agent:
            return tr("sending.outbox_ui.needs_agent")  # never "automatically at …"
        return _local(item.next_attempt_at)

    @staticmethod
    def _receipt_cell(item) -> str:
        receipt = item.receipt
        if receipt is None:
            return "—"
        return f"{receipt.reference or '—'} · {_local(receipt.sent_at)}"

    def selected_id(self) -> str | None:
        cells = self.table.selectedItems()
        return cells[0].data(ID_ROLE) if cells else None

    def selected(self):
        wanted = self.selected_id()
        return next((item for item in self.items if item.report_id == wanted), None)

    def select(self, report_id: str) -> None:
        for row in range(self.table.rowCount()):
            cell = self.table.item(row, 0)
            if cell is not None and cell.data(ID_ROLE) == report_id:
                self.table.selectRow(row)

    def _selection_changed(self) -> None:
        item = self.selected()
        state = item.state if item else ""
        sending_here = bool(item) and self.service.is_sending(item.report_id)
        self.send_button.setEnabled(state in ("queued", "needs_attention", "handed_over")
                                    and not sending_here)
        self.send_button.setText(tr("sending.outbox_ui.retry") if state == "needs_attention"
                                 else tr("sending.outbox_ui.reopen") if state == "handed_over"
                                 else tr("sending.outbox_ui.send_now"))
        # A request the server refused as it is: the settings are the way out, so they come first.
        from capture_app.ui.sending.fixes import SETTINGS, fix_for

        settings_first = state == "needs_attention" and fix_for(item) == SETTINGS
        self.settings_button.setDefault(settings_first)
        self.send_button.setDefault(False)
        self.mark_sent_button.setVisible(state == "handed_over")
        self.mark_sent_button.setEnabled(state == "handed_over" and not sending_here)
        self.send_button.setAccessibleName(self.send_button.text().replace("&", ""))
        self.edit_button.setEnabled(state in ("queued", "needs_attention", "handed_over"))
        self.delete_button.setEnabled(bool(item) and state != "sending")
        self.delete_button.setText(tr("sending.outbox_ui.delete_local") if state == "sent" and item
                                   and not item.local_data_deleted else tr("sending.outbox_ui.delete"))
        self.delete_button.setAccessibleName(self.delete_button.text().replace("&", ""))
        self.details.setText(self._details(item) if item else "")

    def _details(self, item) -> str:
        from capture_app.core.platform.sizes import format_size
        from capture_app.core.sending.outbox import (
            FIX_CREDENTIALS,
            FIX_EDIT,
            FIX_SETTINGS,
            FIX_SHRINK,
        )

        lines = []
        if item.ambiguous and item.state in ("queued", "needs_attention", "sending"):
            # The last attempt went out and no answer came: say so before it is tried again.
            lines.append(tr("sending.outbox_ui.maybe_arrived_ticket", tickets=", ".join(item.tickets))
                         if item.tickets else tr("sending.outbox_ui.maybe_arrived"))
        elif item.tickets and item.state in ("queued", "needs_attention"):
            lines.append(tr("sending.outbox_ui.known_tickets", tickets=", ".join(item.tickets)))
        if item.error is not None and item.state in ("queued", "needs_attention"):
            lines.append(tr("sending.outbox_ui.last_error", reason=item.error.message()))
            if item.state == "needs_attention":
                fix = {FIX_SETTINGS: "sending.outbox_ui.fix_settings", FIX_SHRINK: "sending.outbox_ui.fix_shrink",
                       FIX_CREDENTIALS: "sending.outbox_ui.fix_credentials", FIX_EDIT: "sending.outbox_ui.fix_edit"}
                lines.append(tr(fix.get(item.error.fix, "sending.outbox_ui.fix_retry")))
        if item.state == "queued" and self.needs_agent:
            lines.append(tr("sending.outbox_ui.needs_agent_details"))
        elif item.state == "queued" and item.next_attempt_at:
            lines.append(tr("sending.outbox_ui.next_try", when=_local(item.next_attempt_at)))
        handover = item.handover
        if item.state == "handed_over" and handover is not None:
            if handover.transport == "mail_client":
                lines.append(tr("sending.outbox_ui.handed_over", when=_local(item.handed_over_at),
                                program=handover.program if handover.program not in ("", "MAPI", "open")
                                else tr("sending.outbox_ui.mail_program"),
                                file=handover.reference))
            else:
                lines.append(tr("sending.outbox_ui.handed_over_export", when=_local(item.handed_over_at),
                                folder=handover.destination, file=handover.reference))
        receipt = item.receipt
        if receipt is not None:
            lines.append(tr("sending.outbox_ui.receipt_unchecked" if receipt.unchecked
                            else "sending.outbox_ui.receipt", when=_local(receipt.sent_at),
                            how=tr(f"sending.ui.transport_{receipt.transport}"),
                            where=receipt.destination, reference=receipt.reference or "—",
                            size=format_size(receipt.size, current_language()),
                            sha256=receipt.sha256))
            if len(receipt.tickets) > 1:
                lines.append(tr("sending.outbox_ui.all_tickets", tickets=", ".join(receipt.tickets)))
            if receipt.unchecked:
                lines.append(tr(receipt.unchecked))
                lines.append(tr("sending.outbox_ui.unchecked_files"))
            for name, size, digest in receipt.files:
                lines.append(tr("sending.outbox_ui.receipt_file", name=name,
                                size=format_size(int(size), current_language()), sha256=digest))
            if item.local_data_deleted:
                lines.append(tr("sending.outbox_ui.local_data_deleted"))
        return "\n".join(lines)

    def _progressed(self, report_id: str, done: int, total: int) -> None:
        if total <= 0:
            return
        scale = max(1, total // 1_000_000)
        self.progress.setMaximum(total // scale)
        self.progress.setValue(min(done, total) // scale)
        self.progress.setFormat(tr("sending.outbox_ui.progress_format", percent=round(100 * done / total)))
        self.progress.setVisible(done < total)

    # -- actions

    def send_selected(self) -> None:
        item = self.selected()
        if item is None:
            return
        from capture_app.ui.sending.fixes import retry

        self.progress.setValue(0)
        self.progress.show()
        if not retry(self.service, item.report_id, self):
            self.progress.hide()
            return
        self._selection_changed()

    def mark_sent_selected(self) -> None:
        item = self.selected()
        if item is None or item.state != "handed_over":
            return
        answer = QMessageBox.question(self, tr("sending.outbox_ui.title"),
                                      tr("sending.outbox_ui.mark_sent_question",
                                         summary=item.summary or tr("ui.main.untitled")),
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.service.outbox.mark_sent(item.report_id)
        except Exception as exc:  # noqa: BLE001
            QMessageBox.warning(self, tr("sending.outbox_ui.title"), _message(exc))
        self.service.changed.emit()

    def edit_selected(self) -> None:
        item = self.selected()
        if item is None:
            return
        from capture_app.ui.sending.fixes import back_to_drafts

        if back_to_drafts(self.service, item.report_id, self):
            self.edit_requested.emit(item.report_id)

    def delete_selected(self) -> None:
        item = self.selected()
        if item is None:
            return
        local_only = item.state == "sent" and not item.local_data_deleted
        question = ("sending.outbox_ui.delete_local_question" if local_only else
                    "sending.outbox_ui.forget_receipt_question" if item.local_data_deleted else
                    "sending.outbox_ui.delete_question")
        answer = QMessageBox.question(self, tr("sending.outbox_ui.title"),
                                      tr(question, summary=item.summary or tr("ui.main.untitled")),
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            if item.local_data_deleted:
                self.service.outbox.forget_receipt(item.report_id)
            else:
                self.service.outbox.delete(item.report_id)
        except Exception as exc:  # noqa: BLE001
            QMessageBox.warning(self, tr("sending.outbox_ui.title"), _message(exc))
        self.service.changed.emit()


def _message(exc: BaseException) -> str:
    return exc.message() if hasattr(exc, "message") else tr(
        "ui.common.unexpected", reason=type(exc).__name__)
