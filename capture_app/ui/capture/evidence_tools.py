"""The screenshot part of the evidence step: capture, thumbnails, edit, rename, reorder.

The evidence page builds its table; this object adds the controls around it and reacts to the
table's rows. Captures hide the app's windows, wait the chosen delay (0–10 s), grab, and store
the picture as a new screenshot item.
"""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QIcon, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QToolButton,
    QWidget,
)
from shiboken6 import isValid

from capture_app.core.evidence.screenshot import Capture, Region, ScreenHint, match_screens
from capture_app.core.evidence.screenshot_evidence import move_item, rename_item
from capture_app.core.platform.i18n import tr
from capture_app.ui.capture.evidence_files import EvidenceFiles
from capture_app.ui.capture.grabber import MAX_DELAY_S, ScreenCapturer, capture_pool, default_env
from capture_app.ui.evidence.images import THUMBNAIL, read_image

if TYPE_CHECKING:
    from capture_app.ui.capture.overlay import RegionSelector

ID_ROLE = Qt.ItemDataRole.UserRole + 1


def is_image(item) -> bool:
    return item.media_type.startswith("image/")


class ScreenshotTools(QObject):
    def __init__(self, page) -> None:
        super().__init__(page)
        self.page = page
        self.thumbnails: dict[str, QPixmap | None] = {}  # item id -> thumbnail (None: none)
        self._loading: set[str] = set()
        self.capturer: ScreenCapturer | None = None
        self.selector: RegionSelector | None = None
        self.last_error = ""

        self.capture_button = QToolButton()
        self.capture_button.setText(tr("capture.take"))
        self.capture_button.setAccessibleName(tr("capture.take").replace("&", ""))
        self.capture_button.setToolTip(tr("capture.take_tip"))
        self.capture_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.capture_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.menu = QMenu(self.capture_button)
        self.menu.setAccessibleName(tr("capture.take").replace("&", ""))
        self.menu.aboutToShow.connect(self._fill_menu)
        self.capture_button.setMenu(self.menu)
        self._fill_menu()

        self.delay_label = QLabel(tr("capture.delay"))
        self.delay = QSpinBox()
        self.delay.setRange(0, MAX_DELAY_S)
        self.delay.setSuffix(tr("capture.delay_suffix"))
        self.delay.setAccessibleName(tr("capture.delay").replace("&", ""))
        self.delay.setToolTip(tr("capture.delay_tip"))
        self.delay_label.setBuddy(self.delay)

        self.edit_button = self._button("capture.edit", self.edit_selected)
        self.rename_button = self._button("capture.rename", self.rename_selected)
        self.up_button = self._button("capture.move_up", lambda: self.move_selected(-1))
        self.down_button = self._button("capture.move_down", lambda: self.move_selected(1))
        page.table.setIconSize(THUMBNAIL)
        page.table.itemSelectionChanged.connect(self.update_buttons)
        page.table.cellDoubleClicked.connect(self._double_clicked)
        self.update_buttons()

    def _button(self, key: str, slot) -> QPushButton:
        button = QPushButton(tr(key))
        button.setAccessibleName(tr(key).replace("&", ""))
        button.setToolTip(tr(f"{key}_tip"))
        button.clicked.connect(slot)
        return button

    # -- layout hooks for the page

    def capture_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(self.capture_button)
        row.addWidget(self.delay_label)
        row.addWidget(self.delay)
        row.addStretch(1)
        return row

    def item_buttons(self) -> list[QWidget]:
        return [self.edit_button, self.rename_button, self.up_button, self.down_button]

    # -- the menu

    def _fill_menu(self) -> None:
        self.menu.clear()
        self.menu.addAction(tr("capture.whole"), lambda: self.capture("desktop"))
        screens = QGuiApplication.screens()
        if len(screens) > 1 and self._env().can_choose_monitor():
            for number, screen in enumerate(screens, start=1):
                size = screen.size() * screen.devicePixelRatio()
                self.menu.addAction(tr("capture.monitor", number=number, name=screen.name(),
                                       width=size.width(), height=size.height()),
                                    functools.partial(self.capture, "monitor", screen_index=number - 1))
        self.menu.addAction(tr("capture.region"), lambda: self.capture("region"))
        self.menu.addAction(tr("capture.console"), lambda: self.capture("console"))

    def _env(self):
        return getattr(self.page.env, "capture", None) or default_env()

    # -- capturing

    @property
    def window(self):
        return self.page.window()

    def capture(self, what: str, *, screen_index: int = 0) -> bool:
        """``desktop``, ``monitor`` (``screen_index``), ``region`` or ``console`` (a region)."""
        from capture_app.ui.platform.tasks import run_in_background

        if self.capturer is not None and self.capturer.busy:
            return False
        self.capturer = ScreenCapturer(self._env(), run_in_background, self)
        self.capturer.failed.connect(self._failed)
        self.capturer.captured.connect(lambda capture: self._captured(capture, what, screen_index))
        self.capture_button.setEnabled(False)
        self.capturer.finished.connect(lambda: self.capture_button.setEnabled(
            self.selector is None))
        return self.capturer.start("desktop", delay_s=self.delay.value(),
                                   keep_hidden=what in ("region", "console"))

    def _captured(self, capture: Capture, what: str, screen_index: int) -> None:
        if what in ("region", "console"):
            from capture_app.ui.capture.overlay import RegionSelector

            selector = self.selector = RegionSelector(capture, self)
            selector.chosen.connect(lambda region: self._region_chosen(capture, region, what))
            selector.cancelled.connect(self._region_cancelled)
            selector.show()
            return
        number = None
        if what == "monitor":
            capture, number = self._monitor_part(capture, screen_index)
        self._store(capture, "monitor" if number else "desktop", number=number)

    def _monitor_part(self, capture: Capture, index: int) -> tuple[Capture, int | None]:
        screens = QGuiApplication.screens()
        if not capture.monitors or index >= len(screens):
            return capture, None
        hints = [ScreenHint(s.geometry().x(), s.geometry().y(), s.geometry().width(),
                            s.geometry().height(), s.devicePixelRatio()) for s in screens]
        monitor = match_screens(hints, capture.monitors)[index]
        if monitor is None:
            return capture, None
        return capture.crop(Region(monitor.left, monitor.top, monitor.width, monitor.height)), index + 1

    def _region_chosen(self, capture: Capture, region: Region, what: str) -> None:
        self._selector_done()
        self._store(capture.crop(region), what, shows_console=what == "console")

    def _region_cancelled(self) -> None:
        self._selector_done()

    def _selector_done(self) -> None:
        self.selector = None
        if self.capturer is not None:
            self.capturer.restore_windows()
        self.capture_button.setEnabled(True)

    def _store(self, capture: Capture, what: str, *, shows_console: bool = False,
               number: int | None = None) -> None:
        files = EvidenceFiles.of(self.window)
        files.store_capture(capture, what, shows_console=shows_console, on_done=self._stored,
                            on_error=lambda exc: self._failed(
                                exc.message() if hasattr(exc, "message") else
                                tr("screenshot.failed", detail=type(exc).__name__)),
                            number=number)

    def _stored(self, item) -> None:
        if isValid(self.page.table):
            self.select(item.id)

    def _failed(self, message: str) -> None:
        self.last_error = message
        QMessageBox.warning(self.page if isValid(self.page) else None,
                            tr("capture.failed_title"), message)

    # -- the table

    def selected_items(self) -> list:
        rows = sorted({index.row() for index in self.page.table.selectedIndexes()})
        ids = [self.page.table.item(row, 0).data(ID_ROLE) for row in rows
               if self.page.table.item(row, 0) is not None]
        report = self.page.report
        return [item for item in (report.evidence_item(i) for i in ids) if item is not None]

    def select(self, item_id: str) -> None:
        table = self.page.table
        for row in range(table.rowCount()):
            cell = table.item(row, 0)
            if cell is not None and cell.data(ID_ROLE) == item_id:
                table.selectRow(row)
                return

    def update_buttons(self) -> None:
        chosen = self.selected_items() if self.page.report is not None else []
        single = chosen[0] if len(chosen) == 1 else None
        self.edit_button.setEnabled(single is not None and is_image(single))
        self.rename_button.setEnabled(single is not None)
        evidence = self.page.listed() if self.page.report is not None else []
        index = evidence.index(single) if single in evidence else -1
        self.up_button.setEnabled(index > 0)
        self.down_button.setEnabled(0 <= index < len(evidence) - 1)

    def table_filled(self) -> None:
        """Called by the page after it (re)built the table: thumbnails and kind labels."""
        table, report = self.page.table, self.page.report
        missing = []
        for row in range(table.rowCount()):
            cell = table.item(row, 0)
            item = report.evidence_item(cell.data(ID_ROLE)) if cell is not None else None
            if item is None:
                continue
            if item.shows_console:
                cell.setText(tr("capture.kind_console"))
            if not is_image(item):
                continue
            thumb = self.thumbnails.get(item.id)
            if thumb is not None:
                cell.setIcon(QIcon(thumb))
                table.setRowHeight(row, THUMBNAIL.height() + 8)
            elif item.id not in self.thumbnails and item.id not in self._loading:
                missing.append(item.id)
        if missing:
            self._load_thumbnails(missing)
        self.update_buttons()

    def _load_thumbnails(self, ids: list[str]) -> None:
        store, report_id = self.page.env.store, self.page.report.id
        limit = int(self.page.env.config.get("limits.max_image_pixels"))
        self._loading.update(ids)

        def work():
            found = {}
            for item_id in ids:
                try:
                    found[item_id] = read_image(store.attachment_path(report_id, item_id),
                                                max_pixels=limit, size=THUMBNAIL)
                except Exception:  # noqa: BLE001 - a broken or huge file gets no thumbnail
                    found[item_id] = None
            return found

        def done(found) -> None:
            self._loading.difference_update(ids)
            if not isValid(self.page.table):  # the wizard was closed meanwhile
                return
            for item_id, image in found.items():
                self.thumbnails[item_id] = QPixmap.fromImage(image) if image is not None else None
            if self.page.report is not None and self.page.report.id == report_id:
                self.table_filled()

        self.page.env.run(work, on_success=done, pool=capture_pool(),
                          on_error=lambda _exc: self._loading.difference_update(ids))

    def _double_clicked(self, row: int, column: int) -> None:
        if column == 1:  # the title: edited in place
            return
        self.edit_selected()

    # -- item actions

    def edit_selected(self) -> None:
        from capture_app.ui.capture.editing import edit_item

        chosen = self.selected_items()
        if len(chosen) == 1 and is_image(chosen[0]):
            edit_item(self.window, chosen[0], parent=self.page, on_saved=self._stored)

    def rename_selected(self) -> None:
        table = self.page.table
        rows = {index.row() for index in table.selectedIndexes()}
        if len(rows) == 1:
            cell = table.item(rows.pop(), 1)
            table.setCurrentItem(cell)
            table.editItem(cell)

    def renamed(self, item_id: str, title: str) -> bool:
        """The title cell was edited: the item's file name follows the new title."""
        changed = rename_item(self.page.report, item_id, title)

        def show() -> None:  # not inside the table's own itemChanged signal
            self.page.fill_table()  # an empty title is put back as it was
            self.select(item_id)
        QTimer.singleShot(0, show)
        return changed

    def move_selected(self, offset: int) -> None:
        chosen = self.selected_items()
        if len(chosen) == 1 and move_item(self.page.report, chosen[0].id, offset):
            self.page.fill_table()
            self.select(chosen[0].id)
            self.page.changed.emit()

    def removed(self, item_ids) -> None:
        """Rows were removed from the report: their files go once that is saved."""
        EvidenceFiles.of(self.window).forget(item_ids)
        for item_id in item_ids:
            self.thumbnails.pop(item_id, None)
