"""The recorded steps of a report: the list, deleting steps, redacting a step's picture.

A picture is edited with the screenshot editor (``ui.capture.editing``): the redacted version
is a new item in the old one's place and the step follows it (``screenshot_evidence.insert_item``);
the unredacted file goes after the next save, like any edited screenshot's.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from capture_app.core.evidence.steps import delete_steps, describe, steps_text
from capture_app.core.platform.i18n import current_language, tr
from capture_app.core.report.model import parse_instant
from capture_app.ui.capture.evidence_files import EvidenceFiles
from capture_app.ui.platform.headers import fit_columns

NUMBER_ROLE = Qt.ItemDataRole.UserRole + 1


class StepListDialog(QDialog):
    def __init__(self, wizard, parent=None) -> None:
        super().__init__(parent or wizard)
        self.wizard = wizard
        self.thumbnails: dict[str, QPixmap | None] = {}  # picture id -> None: unreadable
        self.setWindowTitle(tr("ui.steps.list_title"))
        self.resize(720, 420)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 3)
        self.table.setAccessibleName(tr("ui.steps.list_name"))
        self.table.setHorizontalHeaderLabels([tr("ui.steps.col_number"), tr("ui.steps.col_time"),
                                              tr("ui.steps.col_step")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        fit_columns(self.table, 2)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.cellDoubleClicked.connect(lambda *_: self.edit_selected())
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.edit_button = self._button("ui.steps.edit_picture", self.edit_selected)
        self.delete_button = self._button("ui.steps.delete", self.delete_selected)
        close = self._button("ui.steps.close", self.accept)
        for button in (self.edit_button, self.delete_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.fill()

    def _button(self, key: str, slot) -> QPushButton:
        button = QPushButton(tr(key))
        button.setAccessibleName(tr(key).replace("&", ""))
        button.clicked.connect(slot)
        return button

    def fill(self) -> None:
        report = self.wizard.report
        language = current_language()
        self.table.setRowCount(len(report.steps))
        for row, step in enumerate(report.steps):
            moment = parse_instant(step.at)
            when = moment.astimezone().strftime("%H:%M:%S") if moment else ""
            cells = [str(step.number), when, describe(step, language)]
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(NUMBER_ROLE, step.number)
                self.table.setItem(row, column, cell)
        self.table.resizeColumnToContents(0)
        self.table.resizeColumnToContents(1)
        self._update_buttons()
        self._show_thumbnails()

    def _show_thumbnails(self) -> None:
        """Each step's picture small beside its text, read in the background."""
        from shiboken6 import isValid

        from capture_app.ui.capture.grabber import capture_pool
        from capture_app.ui.evidence.images import THUMBNAIL, read_image

        report, store = self.wizard.report, self.wizard.env.store
        limit = int(self.wizard.env.config.get("limits.max_image_pixels"))
        wanted = {s.picture for s in report.steps if s.picture} - set(self.thumbnails)
        self.table.setIconSize(THUMBNAIL)
        for row, step in enumerate(report.steps):
            pixmap = self.thumbnails.get(step.picture)
            cell = self.table.item(row, 2)
            if pixmap is not None and cell is not None:
                cell.setIcon(QIcon(pixmap))
                self.table.setRowHeight(row, THUMBNAIL.height() + 8)
        if not wanted:
            return

        def work():
            found = {}
            for item_id in wanted:
                try:
                    found[item_id] = read_image(store.attachment_path(report.id, item_id),
                                                max_pixels=limit, size=THUMBNAIL)
                except Exception:  # noqa: BLE001 - a broken file gets no thumbnail
                    found[item_id] = None
            return found

        def done(found) -> None:
            self.thumbnails.update({i: QPixmap.fromImage(image) if image is not None else None
                                    for i, image in found.items()})
            if isValid(self.table):
                self._show_thumbnails()

        self.wizard.env.run(work, on_success=done, pool=capture_pool())

    def selected_numbers(self) -> set[int]:
        cells = (self.table.item(i.row(), 0) for i in self.table.selectedIndexes())
        return {int(cell.data(NUMBER_ROLE)) for cell in cells if cell is not None}

    def _update_buttons(self) -> None:
        numbers = self.selected_numbers()
        steps = [s for s in self.wizard.report.steps if s.number in numbers]
        self.edit_button.setEnabled(len(steps) == 1 and bool(steps[0].picture))
        self.delete_button.setEnabled(bool(steps))

    def delete_selected(self) -> None:
        numbers = self.selected_numbers()
        if not numbers:
            return
        gone = delete_steps(self.wizard.report, numbers)
        EvidenceFiles.of(self.wizard).forget(gone)  # the files go once that is saved
        self.wizard.mark_dirty()
        self.fill()

    def edit_selected(self) -> None:
        from capture_app.ui.capture.editing import edit_item

        numbers = self.selected_numbers()
        step = next((s for s in self.wizard.report.steps if s.number in numbers), None)
        item = self.wizard.report.evidence_item(step.picture) if step and step.picture else None
        if len(numbers) == 1 and item is not None:
            edit_item(self.wizard, item, parent=self, on_saved=lambda _item: self.fill())


def fill_steps_field(window, parent=None) -> bool:
    """Put the recorded steps into "Schritte bis zum Fehler" (asking before replacing text)."""
    report = window.report
    if not report.steps:
        return False
    text = steps_text(report, current_language())
    current = report.description.steps.strip()
    if current and current != text:
        answer = QMessageBox.question(parent or window, tr("ui.steps.field_replace_title"),
                                      tr("ui.steps.field_replace", count=len(report.steps)))
        if answer != QMessageBox.StandardButton.Yes:
            return False
    report.description.steps = text
    window.mark_dirty()
    from capture_app.core.wizard.steps import Step

    page = window.pages.get(Step.DETAILS)
    if page is not None and hasattr(page, "binder"):
        page.binder.load(report)
    return True
