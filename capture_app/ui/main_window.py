"""The main window, the agent's home: support status, the big "Problem melden" with its
shortcut, the drafts with a picture of their first screenshot, and the outbox at a glance."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import cast

from PySide6.QtCore import QCoreApplication, QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
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
from capture_app.ui.evidence.thumbnails import Thumbnails
from capture_app.ui.hours.status_panel import SupportStatusPanel
from capture_app.ui.platform import theme
from capture_app.ui.platform.close_key import close_on_alt_f4
from capture_app.ui.platform.headers import fit_columns
from capture_app.ui.platform.icons import icon
from capture_app.ui.platform.screen_fit import resize_to_fit
from capture_app.ui.sending.outbox_summary import OutboxSummary

ID_ROLE = Qt.ItemDataRole.UserRole + 1
READABLE_ROLE = Qt.ItemDataRole.UserRole + 2
PICTURE_ROLE = Qt.ItemDataRole.UserRole + 3
THUMBNAIL = QSize(theme.space(24), theme.space(14))  # 96 × 56: a 16:9 screen fits
STATUS_EVERY_MS = 30_000
MINIMUM = QSize(theme.space(180), theme.space(150))  # 720 × 600


def _local_time(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%d.%m.%Y %H:%M")
    except (TypeError, ValueError):
        return stamp


def _setting(config, key: str):
    if config is not None:
        return config.get(key)
    from capture_app.core.platform.config import settings_table

    return settings_table()[key].default


def hotkey_text(config) -> str:
    """The shortcut for "Problem melden" as this desktop writes it ("Strg+Alt+P")."""
    from capture_app.core.platform.hotkeys import parse_hotkey

    # The setting may be written the German way ("Strg+Umschalt+P"), which Qt does not read.
    hotkey = parse_hotkey(str(_setting(config, "hotkey.report") or ""))
    sequence = QKeySequence(hotkey.text() if hotkey is not None else "",
                            QKeySequence.SequenceFormat.PortableText)
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class MainWindow(QMainWindow):
    report_requested = Signal()
    resume_requested = Signal(str)
    settings_requested = Signal()
    outbox_requested = Signal()
    call_requested = Signal()
    closed = Signal()  # the agent closed the window (the app goes on in the tray or launcher)

    def __init__(self, store, parent: QWidget | None = None, *, closed_log=None, config=None,
                 clock: Callable[[], datetime] | None = None,
                 case_title: Callable[[str], str] | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.closed_log = closed_log  # folder of core.triage_log: cases closed in triage
        self.config = config
        self.case_title = case_title or (lambda case_id: "")
        self.hotkey = hotkey_text(config)
        self.thumbnails = Thumbnails(THUMBNAIL, self._thumbnail_ready)
        self.setWindowTitle(APP_NAME)
        close_on_alt_f4(self)
        self.setAccessibleName(APP_NAME)
        # Below this the wrapped texts would be cut (a layout's minimum ignores their height).
        self.setMinimumSize(MINIMUM)
        resize_to_fit(self, 900, 700)
        self._build_menu()
        central = QWidget()
        self.setCentralWidget(central)
        layout = QVBoxLayout(central)
        theme.set_spacing(layout, 4, 3)
        self.notices = QLabel()
        self.notices.setWordWrap(True)
        self.notices.setAccessibleName(tr("ui.main.notices"))
        colours = theme.colours()
        self.notices.setStyleSheet(f"QLabel {{ background: {colours.notice}; color: {colours.text};"
                                   f" padding: {theme.space(2)}px; border: 1px solid {colours.warning}; }}")
        self.notices.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.notices.hide()
        layout.addWidget(self.notices)
        self.support = SupportStatusPanel(_setting(config, "support.phone"), clock or _utc_now)
        self.support.call_requested.connect(self.call_requested.emit)
        layout.addWidget(self.support)
        layout.addLayout(self._build_report_button())
        self._build_drafts(layout)
        self.outbox = OutboxSummary()
        self.outbox.outbox_requested.connect(self.outbox_requested.emit)
        self.outbox.settings_requested.connect(self.settings_requested.emit)
        self.outbox.edit_requested.connect(self.resume_requested.emit)
        layout.addWidget(self.outbox)
        self.outbox_button = self.outbox.open_button
        self.status_timer = QTimer(self)
        self.status_timer.setInterval(STATUS_EVERY_MS)
        self.status_timer.timeout.connect(self.support.update_status)
        self.status_timer.start()
        self.refresh()

    def _build_report_button(self) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(theme.space(1))
        self.report_button = QPushButton(icon("message-square-warning", "on_accent"),
                                         tr("ui.main.report_problem"))
        self.report_button.setAccessibleName(tr("ui.main.report_problem").replace("&", ""))
        hint = tr("ui.main.report_problem_hint", hotkey=self.hotkey)
        self.report_button.setAccessibleDescription(hint)
        self.report_button.setToolTip(hint)
        self.report_button.setMinimumHeight(theme.space(16))
        self.report_button.setIconSize(QSize(theme.space(8), theme.space(8)))
        theme.set_type(self.report_button, "display")
        theme.make_primary(self.report_button)
        self.report_button.setDefault(True)
        self.report_button.setAutoDefault(True)
        self.report_button.clicked.connect(self.report_requested.emit)
        column.addWidget(self.report_button)
        self.hotkey_label = theme.set_type(QLabel(tr("ui.home.hotkey", hotkey=self.hotkey)), "caption")
        self.hotkey_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hotkey_label.setWordWrap(True)
        self.hotkey_label.setAccessibleName(tr("ui.home.hotkey", hotkey=self.hotkey))
        column.addWidget(self.hotkey_label)
        return column

    def set_support_hours(self, hours, agent_zone: str | None) -> None:
        """The support hours are loaded (in the background, by the tray's presence)."""
        self.support.set_hours(hours, agent_zone)

    def attach_sending(self, service) -> None:
        self.outbox.attach(service)

    def _build_drafts(self, layout: QVBoxLayout) -> None:
        """The drafts with picture, summary, case and last change; the empty state; the buttons."""
        drafts_label = theme.set_type(QLabel(tr("ui.main.drafts")), "title")
        layout.addWidget(drafts_label)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([tr("ui.main.col_summary"), tr("ui.main.col_case"),
                                              tr("ui.main.col_updated")])
        self.table.setAccessibleName(tr("ui.main.drafts").replace("&", ""))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setIconSize(THUMBNAIL)
        self.table.setWordWrap(True)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(THUMBNAIL.height() + theme.space(2))
        fit_columns(self.table, 0)
        self.table.doubleClicked.connect(lambda _i: self._resume())
        self.table.itemSelectionChanged.connect(self._selection_changed)
        drafts_label.setBuddy(self.table)
        layout.addWidget(self.table, 1)
        self.empty_hint = QLabel(tr("ui.main.no_drafts", hotkey=self.hotkey))
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setAccessibleName(tr("ui.main.drafts").replace("&", ""))
        self.empty_hint.setMinimumHeight(theme.space(20))
        layout.addWidget(self.empty_hint, 1)
        layout.addLayout(self._build_buttons())
        self.closed_label = QLabel()  # cases closed in triage, whose drafts are gone
        self.closed_label.setAccessibleName(tr("ui.main.closed_in_triage_name"))
        self.closed_label.setWordWrap(True)
        self.closed_label.hide()
        layout.addWidget(self.closed_label)

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.resume_button = QPushButton(icon("pencil"), tr("ui.main.resume"))
        self.duplicate_button = QPushButton(icon("copy"), tr("ui.main.duplicate"))
        self.delete_button = QPushButton(icon("trash-2"), tr("ui.main.delete"))
        for button, handler in ((self.resume_button, self._resume),
                                (self.duplicate_button, self._duplicate),
                                (self.delete_button, self._delete)):
            button.setAccessibleName(button.text().replace("&", ""))
            button.clicked.connect(handler)
            row.addWidget(button)
        row.addStretch(1)
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

    def closeEvent(self, event) -> None:
        super().closeEvent(event)
        if event.isAccepted():
            self.closed.emit()

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
            cells = (summary, self._case_text(draft), _local_time(draft.updated_at))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, draft.id)
                item.setData(READABLE_ROLE, draft.readable)
                self.table.setItem(row, column, item)
            self._show_picture(cast("QTableWidgetItem", self.table.item(row, 0)), draft.thumbnail)
            if draft.id == selected:
                self.table.selectRow(row)
        if drafts and self.selected_id() is None:
            self.table.selectRow(0)
        self.empty_hint.setVisible(not drafts)
        self.table.setVisible(bool(drafts))
        for button in (self.resume_button, self.duplicate_button, self.delete_button):
            button.setVisible(bool(drafts))
        self._show_closed_count()
        self._selection_changed()
        self.outbox.refresh()

    def _case_text(self, draft) -> str:
        category = tr(f"ui.category.{draft.category}") if draft.category else ""
        title = self.case_title(draft.case_id) if draft.case_id else ""
        return "\n".join(part for part in (title, category) if part) or "—"

    def _show_picture(self, item: QTableWidgetItem, path: Path | None) -> None:
        """The first screenshot as a small picture (decoded in the background), else a sign."""
        item.setData(PICTURE_ROLE, str(path) if path is not None else "")
        picture = self.thumbnails.request(path)
        if picture is not None:
            item.setIcon(picture)
            item.setData(Qt.ItemDataRole.ToolTipRole, tr("ui.home.first_screenshot"))
        else:
            item.setIcon(icon("image", "muted"))

    def _thumbnail_ready(self, path: Path) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(PICTURE_ROLE) == str(path):
                self._show_picture(item, path)

    def has_picture(self, row: int) -> bool:
        """Whether the row shows its first screenshot (not the sign for "no screenshot")."""
        item = self.table.item(row, 0)
        return item is not None and bool(item.data(PICTURE_ROLE)) and \
            self.thumbnails.request(Path(item.data(PICTURE_ROLE))) is not None

    def _show_closed_count(self) -> None:
        if self.closed_log is None:
            return
        from datetime import datetime

        from capture_app.core.triage import closed_log as triage_log

        counted = triage_log.counts(self.closed_log, now=datetime.now().astimezone())
        text = tr("ui.main.closed_in_triage", today=counted.today, total=counted.total)
        self.closed_label.setText(text)
        self.closed_label.setVisible(counted.total > 0)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # light ↔ dark: icons in the new colours
            self.support.update_status()
            self.outbox.refresh()

    def selected_id(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].data(ID_ROLE) if items else None

    def _selection_changed(self) -> None:
        items = self.table.selectedItems()
        readable = bool(items) and bool(items[0].data(READABLE_ROLE))
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
