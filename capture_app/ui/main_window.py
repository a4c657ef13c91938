"""The main window: the big "Problem melden" button and the list of drafts."""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from capture_app import APP_NAME, __version__
from capture_app.core.platform.i18n import tr
from capture_app.ui.platform.screen_fit import resize_to_fit

ID_ROLE = Qt.ItemDataRole.UserRole + 1


def _local_time(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%d.%m.%Y %H:%M")
    except (TypeError, ValueError):
        return stamp


class MainWindow(QMainWindow):
    report_requested = Signal()
    resume_requested = Signal(str)
    settings_requested = Signal()
    outbox_requested = Signal()

    def __init__(self, store, parent: QWidget | None = None, *, closed_log=None) -> None:
        super().__init__(parent)
        self.store = store
        self.closed_log = closed_log  # folder of core.triage_log: cases closed in triage
        self.setWindowTitle(APP_NAME)
        self.setAccessibleName(APP_NAME)
        resize_to_fit(self, 820, 560)
        self._build_menu()
        central = QWidget()
        self.setCentralWidget(central)
        layout = QVBoxLayout(central)
        self.notices = QLabel()
        self.notices.setWordWrap(True)
        self.notices.setAccessibleName(tr("ui.main.notices"))
        self.notices.setStyleSheet("QLabel { background: #fff4ce; padding: 8px; border: 1px solid #e0c060; }")
        self.notices.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.notices.hide()
        layout.addWidget(self.notices)
        layout.addWidget(self._build_report_button())
        self._build_drafts(layout)
        layout.addLayout(self._build_buttons())
        self.refresh()

    def _build_report_button(self) -> QPushButton:
        self.report_button = QPushButton(tr("ui.main.report_problem"))
        self.report_button.setAccessibleName(tr("ui.main.report_problem").replace("&", ""))
        self.report_button.setAccessibleDescription(tr("ui.main.report_problem_hint"))
        self.report_button.setToolTip(tr("ui.main.report_problem_hint"))
        self.report_button.setMinimumHeight(64)
        font = self.report_button.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.report_button.setFont(font)
        self.report_button.clicked.connect(self.report_requested.emit)
        return self.report_button

    def _build_drafts(self, layout: QVBoxLayout) -> None:
        """The list of drafts, its empty hint and the count of cases closed in triage."""
        drafts_label = QLabel(tr("ui.main.drafts"))
        layout.addWidget(drafts_label)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([tr("ui.main.col_summary"), tr("ui.main.col_category"),
                                              tr("ui.main.col_updated"), tr("ui.main.col_files")])
        self.table.setAccessibleName(tr("ui.main.drafts"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _i: self._resume())
        self.table.itemSelectionChanged.connect(self._selection_changed)
        drafts_label.setBuddy(self.table)
        layout.addWidget(self.table, 1)
        self.empty_hint = QLabel(tr("ui.main.no_drafts"))
        layout.addWidget(self.empty_hint)
        self.closed_label = QLabel()  # cases closed in triage, whose drafts are gone
        self.closed_label.setAccessibleName(tr("ui.main.closed_in_triage_name"))
        self.closed_label.hide()
        layout.addWidget(self.closed_label)

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.resume_button = QPushButton(tr("ui.main.resume"))
        self.duplicate_button = QPushButton(tr("ui.main.duplicate"))
        self.delete_button = QPushButton(tr("ui.main.delete"))
        for button, handler in ((self.resume_button, self._resume),
                                (self.duplicate_button, self._duplicate),
                                (self.delete_button, self._delete)):
            button.setAccessibleName(button.text().replace("&", ""))
            button.clicked.connect(handler)
            row.addWidget(button)
        row.addStretch(1)
        self.outbox_button = QPushButton(tr("sending.ui.outbox_button"))
        self.outbox_button.setAccessibleName(tr("sending.ui.outbox_button").replace("&", ""))
        self.outbox_button.setToolTip(tr("sending.ui.outbox_hint"))
        self.outbox_button.clicked.connect(self.outbox_requested.emit)
        row.addWidget(self.outbox_button)
        return row

    def _build_menu(self) -> None:
        file_menu = self.menuBar().addMenu(tr("ui.menu.file"))
        new_report = QAction(tr("ui.menu.report_problem"), self)
        new_report.setShortcut(QKeySequence.StandardKey.New)
        new_report.triggered.connect(self.report_requested.emit)
        settings = QAction(tr("ui.menu.settings"), self)
        settings.setShortcut(QKeySequence("Ctrl+,"))
        settings.triggered.connect(self.settings_requested.emit)
        quit_action = QAction(tr("ui.menu.quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        # Quits the app, not just this window: with a tray icon the app outlives its windows.
        quit_action.triggered.connect(QCoreApplication.quit)
        outbox = QAction(tr("sending.ui.outbox_menu"), self)
        outbox.triggered.connect(self.outbox_requested.emit)
        for action in (new_report, outbox, settings, quit_action):
            file_menu.addAction(action)
        help_menu = self.menuBar().addMenu(tr("ui.menu.help"))
        about = QAction(tr("ui.menu.about"), self)
        about.triggered.connect(lambda: QMessageBox.about(
            self, APP_NAME, tr("ui.main.about", app=APP_NAME, version=__version__)))
        help_menu.addAction(about)

    def show_notices(self, messages: list[str]) -> None:
        if not messages:
            return
        existing = self.notices.text()
        text = "<br>".join(f"⚠ {m}" for m in messages)
        self.notices.setText(f"{existing}<br>{text}" if existing else text)
        self.notices.show()

    def refresh(self) -> None:
        drafts = self.store.list_drafts()
        for notice in self.store.take_notices():
            self.show_notices([notice.message()])
        selected = self.selected_id()
        self.table.setRowCount(len(drafts))
        for row, draft in enumerate(drafts):
            summary = draft.summary or tr("ui.main.untitled")
            if not draft.readable:
                summary = tr("ui.main.unreadable", summary=summary)
            category = tr(f"ui.category.{draft.category}") if draft.category else "—"
            cells = (summary, category, _local_time(draft.updated_at), str(draft.evidence_count))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, draft.id)
                item.setData(Qt.ItemDataRole.UserRole + 2, draft.readable)
                self.table.setItem(row, column, item)
            if draft.id == selected:
                self.table.selectRow(row)
        if drafts and self.selected_id() is None:
            self.table.selectRow(0)
        self.empty_hint.setVisible(not drafts)
        self.table.setVisible(bool(drafts))
        self._show_closed_count()
        self._selection_changed()

    def _show_closed_count(self) -> None:
        if self.closed_log is None:
            return
        from datetime import datetime

        from capture_app.core.triage import closed_log as triage_log

        counted = triage_log.counts(self.closed_log, now=datetime.now().astimezone())
        text = tr("ui.main.closed_in_triage", today=counted.today, total=counted.total)
        self.closed_label.setText(text)
        self.closed_label.setVisible(counted.total > 0)

    def selected_id(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].data(ID_ROLE) if items else None

    def _selection_changed(self) -> None:
        items = self.table.selectedItems()
        readable = bool(items) and bool(items[0].data(Qt.ItemDataRole.UserRole + 2))
        self.resume_button.setEnabled(readable)
        self.duplicate_button.setEnabled(readable)
        self.delete_button.setEnabled(bool(items))

    def _resume(self) -> None:
        report_id = self.selected_id()
        if report_id:
            self.resume_requested.emit(report_id)

    def _duplicate(self) -> None:
        report_id = self.selected_id()
        if not report_id:
            return
        try:
            copy = self.store.duplicate(report_id)
        except Exception as exc:  # noqa: BLE001 - shown to the agent, nothing changed
            QMessageBox.warning(self, APP_NAME, _message(exc))
            return
        self.refresh()
        self._select(copy.id)

    def _select(self, report_id: str) -> None:
        for row in range(self.table.rowCount()):
            cell = self.table.item(row, 0)
            if cell is not None and cell.data(ID_ROLE) == report_id:
                self.table.selectRow(row)

    def _delete(self) -> None:
        report_id = self.selected_id()
        if not report_id:
            return
        summary = self.table.selectedItems()[0].text()
        answer = QMessageBox.question(self, tr("ui.main.delete_title"),
                                      tr("ui.main.delete_question", summary=summary),
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.store.delete(report_id)
        except Exception as exc:  # noqa: BLE001
            QMessageBox.warning(self, APP_NAME, _message(exc))
        self.refresh()


def _message(exc: BaseException) -> str:
    return exc.message() if hasattr(exc, "message") else tr("ui.common.unexpected",
                                                             reason=type(exc).__name__)
