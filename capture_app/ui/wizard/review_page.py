"""Step 6: every byte that would leave the machine, in sending order, with per-item exclude."""
from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from capture_app import __version__
from capture_app.core.platform.i18n import current_language, tr
from capture_app.core.platform.sizes import format_size
from capture_app.core.sending.render import render_text
from capture_app.core.wizard.steps import Step, ready_to_send
from capture_app.ui.platform.headers import fit_columns
from capture_app.ui.wizard.base import StepPage

KEY_ROLE = Qt.ItemDataRole.UserRole + 1


class ReviewPage(StepPage):
    step = Step.REVIEW

    def build(self, body: QWidget) -> None:
        layout = QVBoxLayout(body)
        from capture_app.ui.identity_dialog import IdentityHint
        self.identity_hint = IdentityHint(self)  # no "Meldende Person": say so, offer to add it
        layout.addWidget(self.identity_hint)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([tr("ui.review.col_send"), tr("ui.review.col_item"),
                                              tr("ui.review.col_size")])
        self.table.setAccessibleName(tr("ui.review.list"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        fit_columns(self.table, 1)
        self.table.itemChanged.connect(self._toggled)
        layout.addWidget(self.table, 2)
        self.total = QLabel()
        self.total.setAccessibleName(tr("ui.review.total", size="", count="").split(":")[0])
        layout.addWidget(self.total)
        preview_label = QLabel(tr("ui.review.preview"))
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName(tr("ui.review.preview"))
        self.preview.setTabChangesFocus(True)
        preview_label.setBuddy(self.preview)
        layout.addWidget(preview_label)
        layout.addWidget(self.preview, 3)
        from capture_app.ui.privacy.pii_review import PiiReview
        self.pii = PiiReview(self, layout)  # personal data in what is sent: highlight and mask
        row = QHBoxLayout()
        from capture_app.ui.environment.system_info_view import add_review_button
        add_review_button(self, row)  # every system fact, one by one, with exclude
        row.addStretch(1)
        layout.addLayout(row)
        # Exportieren, In Postausgang and Senden live in the window's button bar (action_buttons).
        self.export_button = QPushButton(tr("ui.review.export"))
        self.export_button.setAccessibleName(tr("ui.review.export").replace("&", ""))
        self.export_button.setAccessibleDescription(tr("ui.review.export_hint"))
        self.export_button.setToolTip(tr("ui.review.export_hint"))
        self.export_button.clicked.connect(self.choose_export_folder)
        from capture_app.ui.sending.send_actions import SendButtons
        self.send_buttons = SendButtons(self)  # "In Postausgang" and "Senden"
        self.review = None
        self.last_export = None

    def field_widget(self, field: str):
        return self.table

    def action_buttons(self) -> list[QWidget]:
        return [self.export_button, self.send_buttons]

    def primary_button(self):
        # Without an outbox (sending not set up) exporting is what is left.
        return self.export_button if self.send_buttons.isHidden() else self.send_buttons.send_button

    def locate(self, item) -> Path:
        return self.env.store.attachment_path(self.loaded.id, item.id)

    def refresh(self) -> None:
        self.preview.setPlainText(render_text(self.loaded, current_language()))
        self.identity_hint.refresh()
        self.pii.refresh()
        self._compute_review()

    def _compute_review(self) -> None:
        from capture_app.core.report.model import Report
        from capture_app.core.sending.bundle import review_items

        snapshot = Report.from_dict(self.loaded.to_dict())
        language = current_language()
        self.env.run(lambda: review_items(snapshot, self.locate, language, app_version=__version__),
                     on_success=self._show_review, on_error=self._review_failed, parent=self)

    def _show_review(self, review) -> None:
        if not isValid(self.table):  # the wizard was closed while the list was computed
            return
        self.review = review
        language = current_language()
        self.table.blockSignals(True)
        self.table.setRowCount(len(review))
        for row, item in enumerate(review):
            send = QTableWidgetItem()
            send.setData(KEY_ROLE, item.key)
            excludable = item.evidence_id is not None or item.key.startswith("system")
            if excludable:
                send.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                              | Qt.ItemFlag.ItemIsSelectable)
                send.setCheckState(Qt.CheckState.Unchecked if item.excluded else Qt.CheckState.Checked)
                send.setData(Qt.ItemDataRole.AccessibleTextRole, f"{tr('ui.review.col_send')}: {item.title}")
            else:
                send.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                send.setText("✓")
            title = f"{item.title}  ({item.name})"
            if item.problem:
                title += f"\n⛔ {item.problem}"
            cells = (send, QTableWidgetItem(title), QTableWidgetItem(format_size(item.size, language)))
            for column, cell in enumerate(cells):
                self.table.setItem(row, column, cell)
        self.table.resizeRowsToContents()
        self.table.blockSignals(False)
        included = [item for item in review if not item.excluded]
        self.total.setText(tr("ui.review.total", size=format_size(review.total_size, language),
                              count=len(included)))

    def _review_failed(self, exc: BaseException) -> None:
        if not isValid(self.total):
            return
        self.total.setText(exc.message() if hasattr(exc, "message") else
                           tr("ui.common.unexpected", reason=type(exc).__name__))

    def _toggled(self, cell: QTableWidgetItem) -> None:
        key = cell.data(KEY_ROLE)
        if not key or cell.column() != 0:
            return
        include = cell.checkState() == Qt.CheckState.Checked
        if key.startswith("evidence:"):
            item = self.loaded.evidence_item(key.split(":", 1)[1])
            if item is None or item.excluded == (not include):
                return
            item.excluded = not include
        elif key.startswith("system"):
            names = list(self.loaded.system.values) if key == "system_info" else [key.split(":", 1)[1]]
            excluded = set(self.loaded.system.excluded)
            excluded = excluded - set(names) if include else excluded | set(names)
            self.loaded.system.excluded = sorted(excluded)
        self.changed.emit()
        self.refresh()

    # -- export

    def choose_export_folder(self) -> None:
        problems = ready_to_send(self.loaded, self.env.context)
        if problems:
            QMessageBox.warning(self, tr("ui.review.export_failed_title"),
                                tr("ui.review.not_ready") + "\n\n" +
                                "\n".join(f"• {p.message()}" for p in problems))
            return
        from capture_app.ui.privacy.pii_review import confirm_screenshots

        if not confirm_screenshots(self, self.report):  # personal data left on screenshots
            return
        start = self.env.config.get("export.folder") or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        folder = QFileDialog.getExistingDirectory(self, tr("ui.review.export_folder"), start)
        if folder:
            self.export_to(Path(folder))

    def export_to(self, folder: Path, on_done=None) -> None:
        """Build the bundle and copy it into ``folder``, in the background."""
        from capture_app.core.report.model import Report
        from capture_app.core.sending.bundle import build_bundle
        from capture_app.core.sending.transports.export import ExportTransport

        snapshot = Report.from_dict(self.loaded.to_dict())
        language = current_language()
        locate = self.locate

        def work(progress):
            with tempfile.TemporaryDirectory(prefix="report-capture-") as scratch:
                bundle = build_bundle(snapshot, locate, Path(scratch) / "bundle.zip",
                                      app_version=__version__, language=language)
                receipt = ExportTransport(folder).send(bundle.path, snapshot, progress)
            return receipt, bundle

        def done(result) -> None:
            receipt, bundle = result
            self.last_export = receipt
            self.export_button.setEnabled(True)
            if on_done is not None:
                on_done(receipt, None)
                return
            from capture_app.ui.platform.desktop_links import show_exported

            self.exported_box = show_exported(self, tr("ui.review.exported_title"), tr(
                "ui.review.exported", path=str(Path(receipt.destination) / receipt.reference),
                size=format_size(bundle.zip_size, language)), Path(receipt.destination))

        def failed(exc: BaseException) -> None:
            self.export_button.setEnabled(True)
            message = exc.message() if hasattr(exc, "message") else tr(
                "ui.common.unexpected", reason=type(exc).__name__)
            if on_done is not None:
                on_done(None, message)
                return
            QMessageBox.warning(self, tr("ui.review.export_failed_title"), message)

        self.export_button.setEnabled(False)
        self.env.run(work, on_success=done, on_error=failed, parent=self,
                     progress_label=tr("ui.review.exporting"))
