"""Step 5: attach what shows the problem — screenshots, console output, network logs, documents."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from capture_app.core.platform.i18n import current_language, tr
from capture_app.core.platform.sizes import format_size
from capture_app.core.report.model import ATTACHABLE_KINDS, Report
from capture_app.core.wizard.steps import Step, selected_case
from capture_app.ui.capture.evidence_tools import ScreenshotTools
from capture_app.ui.platform.headers import fit_columns
from capture_app.ui.wizard.base import StepPage

ID_ROLE = Qt.ItemDataRole.UserRole + 1
COL_KIND, COL_TITLE, COL_FILE, COL_SIZE, COL_CONFIRM = range(5)


class EvidencePage(StepPage):
    step = Step.EVIDENCE

    def build(self, body: QWidget) -> None:
        layout = QVBoxLayout(body)
        self.requirements = QLabel()
        self.requirements.setWordWrap(True)
        layout.addWidget(self.requirements)
        add_row = QHBoxLayout()
        self.kind = QComboBox()
        for kind in ATTACHABLE_KINDS:
            self.kind.addItem(tr(f"ui.evidence.kind_{kind}"), kind)
        kind_label = QLabel(tr("ui.evidence.kind"))
        kind_label.setBuddy(self.kind)
        self.kind.setAccessibleName(tr("ui.evidence.kind").replace("&", ""))
        self.add_button = QPushButton(tr("ui.evidence.add"))
        self.add_button.setAccessibleName(tr("ui.evidence.add").replace("&", ""))
        self.add_button.clicked.connect(self.choose_files)
        add_row.addWidget(kind_label)
        add_row.addWidget(self.kind)
        add_row.addWidget(self.add_button)
        add_row.addStretch(1)
        layout.addLayout(add_row)

        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([
            tr("ui.evidence.col_kind"), tr("ui.evidence.col_title"), tr("ui.evidence.col_file"),
            tr("ui.evidence.col_size"), tr("ui.evidence.col_confirm")])
        self.table.setAccessibleName(tr("ui.evidence.list"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.verticalHeader().hide()
        fit_columns(self.table, COL_TITLE)
        self.table.itemChanged.connect(self._item_changed)
        layout.addWidget(self.table, 1)
        # Screenshots: capture menu above the table, edit/rename/reorder below, thumbnails.
        self.screenshots = ScreenshotTools(self)
        layout.insertLayout(layout.indexOf(self.table), self.screenshots.capture_row())
        from capture_app.ui.evidence.console_import import add_console_tools
        self.console_tools = add_console_tools(self, layout)  # console messages, HAR, guide
        from capture_app.ui.steps.tools import StepTools
        self.step_tools = StepTools(self)  # the recorded steps: one line above the table
        layout.insertLayout(layout.indexOf(self.table), self.step_tools.row())
        self.remove_button = QPushButton(tr("ui.evidence.remove"))
        self.remove_button.setAccessibleName(tr("ui.evidence.remove").replace("&", ""))
        self.remove_button.clicked.connect(self.remove_selected)
        row = QHBoxLayout()
        for button in self.screenshots.item_buttons():
            row.addWidget(button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.busy = False

    def field_widget(self, field: str):
        return self.table if field.startswith("evidence") else None

    def refresh(self) -> None:
        case = selected_case(self.loaded, self.env.context)
        needed = [tr(f"ui.evidence.kind_{kind}") for kind in (case.requires_evidence if case else ())]
        self.requirements.setText(tr("ui.evidence.required", kinds=", ".join(needed)) if needed
                                  else tr("ui.evidence.optional"))
        if "document" in (case.requires_evidence if case else ()):
            self.kind.setCurrentIndex(self.kind.findData("document"))
        self.fill_table()

    def listed(self) -> list:
        """The table's items: every attached file; step pictures are under "Schritte"."""
        return [item for item in self.loaded.evidence if item.kind != "step"]

    def fill_table(self) -> None:
        language = current_language()
        self.table.blockSignals(True)
        listed = self.listed()
        self.table.setRowCount(len(listed))
        for row, item in enumerate(listed):
            cells = {
                COL_KIND: QTableWidgetItem(tr(f"ui.evidence.kind_{item.kind}")),
                COL_TITLE: QTableWidgetItem(item.title),
                COL_FILE: QTableWidgetItem(item.filename),
                COL_SIZE: QTableWidgetItem(format_size(item.size, language)),
            }
            for column, cell in cells.items():
                cell.setData(ID_ROLE, item.id)
                if column != COL_TITLE:
                    cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, column, cell)
            confirm = QTableWidgetItem()
            confirm.setData(ID_ROLE, item.id)
            if item.kind == "document":
                confirm.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                                 | Qt.ItemFlag.ItemIsSelectable)
                confirm.setCheckState(Qt.CheckState.Checked if item.no_personal_data_confirmed
                                      else Qt.CheckState.Unchecked)
                confirm.setText(tr("ui.evidence.confirm_short"))
                confirm.setData(Qt.ItemDataRole.AccessibleTextRole, tr("ui.evidence.confirm_long", name=item.filename))
            else:
                confirm.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                confirm.setText("—")
            self.table.setItem(row, COL_CONFIRM, confirm)
        self.table.resizeColumnToContents(COL_KIND)
        self.table.resizeColumnToContents(COL_SIZE)
        self.table.blockSignals(False)
        self.remove_button.setEnabled(bool(listed))
        self.screenshots.table_filled()
        self.step_tools.refresh()

    def _item_changed(self, cell: QTableWidgetItem) -> None:
        item = self.loaded.evidence_item(cell.data(ID_ROLE))
        if item is None:
            return
        if cell.column() == COL_TITLE and cell.text() != item.title:
            if not self.screenshots.renamed(item.id, cell.text()):  # the file name follows
                return
        elif cell.column() == COL_CONFIRM and item.kind == "document":
            item.no_personal_data_confirmed = cell.checkState() == Qt.CheckState.Checked
        else:
            return
        self.changed.emit()

    # -- adding and removing

    def choose_files(self) -> None:
        kind = self.kind.currentData()
        paths, _ = QFileDialog.getOpenFileNames(self, tr("ui.evidence.choose_title"), "",
                                                tr(f"ui.evidence.filter_{kind}"))
        if paths:
            self.add_files([Path(p) for p in paths], kind)

    def add_files(self, paths: list[Path], kind: str, on_done=None) -> None:
        """Check and copy the files in the background; each refused file gets its own message."""
        if self.console_tools.intercept(paths, kind, on_done):
            return  # console output and HAR files are attached cleaned (ui/evidence/console_import.py)
        from capture_app.core.evidence.importing import ImportLimits, import_evidence

        config = self.env.config
        limits = ImportLimits(max_file_bytes=config.get("limits.max_file_mb") * 1024 * 1024,
                              max_image_pixels=config.get("limits.max_image_pixels"))
        # The worker sees a copy of the evidence list only (for unique names): the report itself
        # is changed on the UI thread when the results arrive.
        scratch = Report(id=self.loaded.id, evidence=list(self.loaded.evidence))
        store_fn = self.env.store.store_attachment

        def work():
            added, refused = [], []
            for path in paths:
                try:
                    added.append(import_evidence(scratch, path, kind, store_fn, limits))
                except Exception as exc:  # noqa: BLE001 - every refusal is shown
                    refused.append(exc.message() if hasattr(exc, "message") else
                                   tr("ui.common.unexpected", reason=type(exc).__name__))
            return added, refused

        def done(result) -> None:
            added, refused = result
            taken = {item.filename for item in self.loaded.evidence}
            for item in added:
                if item.filename in taken:  # another import finished first with the same name
                    from capture_app.core.platform.fsutil import unique_name
                    item.filename = unique_name(item.filename, taken)
                taken.add(item.filename)
                self.loaded.evidence.append(item)
            self.busy = False
            self.add_button.setEnabled(True)
            if added:
                self.fill_table()
                self.changed.emit()
            if refused:
                self.last_refusals = refused
                QMessageBox.warning(self, tr("ui.evidence.refused_title"), "\n\n".join(refused))
            if on_done is not None:
                on_done(added, refused)

        self.busy = True
        self.add_button.setEnabled(False)
        self.last_refusals = []
        self.env.run(work, on_success=done, parent=self, progress_label=tr("ui.evidence.importing"))

    def remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()})
        ids = [cell.data(ID_ROLE) for row in rows
               if (cell := self.table.item(row, COL_KIND)) is not None]
        if not ids:
            return
        self.screenshots.removed(ids)
        self.loaded.evidence = [item for item in self.loaded.evidence if item.id not in ids]
        # The files go once the report without them is saved (DraftStore.collect_garbage).
        self.fill_table()
        self.changed.emit()
