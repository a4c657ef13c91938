"""Every collected system fact, with a tick for "send": the agent's review and exclude.

The same view is shown in the Environment step (as facts arrive) and from the Review step.
Unticking a fact keeps it out of this report and is remembered for later reports in the
setting ``system_info.excluded``; facts the organisation excluded (a locked setting) stay out.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from capture_app.core.environment.system_info import (
    exclusions_locked,
    field_label,
    remember_exclusions,
    remembered_exclusions,
)
from capture_app.core.platform.i18n import current_language, tr
from capture_app.ui.platform import theme
from capture_app.ui.platform.headers import fit_columns
from capture_app.ui.platform.screen_fit import resize_to_fit

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
# The reachability check's steps in the order they run; the first that failed is the cause.
REACH_STEPS = (("dns", "network.dns"), ("proxy", "network.proxy"), ("tcp", "network.tcp"),
               ("tls", "network.tls"), ("http", "network.http"))
FAILED_KEY = "probes.reach.failed"


def instance_problem(values: dict, language: str | None = None) -> tuple[str, str] | None:
    """(step, reason) of the first failed step of the Flexperto reachability check, or None.

    ``values``: the probes' raw values (``Text`` for messages), as the collection returns them.
    """
    for step, key in REACH_STEPS:
        value = values.get(key)
        if value is not None and getattr(value, "key", None) == FAILED_KEY:
            reason = value.params.get("reason", "")
            return step, reason.render(language) if hasattr(reason, "render") else str(reason)
    return None


class ReachabilityBanner(QFrame):
    """At the top of the Umgebung step: the Flexperto platform cannot be reached from here —
    what that means and what to do. Hidden while it can (or nothing was checked)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reach_banner")
        self.setStyleSheet(theme.alert_style("QFrame#reach_banner"))
        layout = QVBoxLayout(self)
        self.title = QLabel()
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.body = QLabel()
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        self.setAccessibleName(tr("probes.ui.unreachable_title"))
        self.hide()

    def show_values(self, values: dict, url: str) -> None:
        problem = instance_problem(values)
        if problem is None or not url:
            self.hide()
            return
        step, reason = problem
        self.title.setText(tr("probes.ui.unreachable_title"))
        self.body.setText(tr("probes.ui.unreachable", url=url, reason=reason) + "\n\n"
                          + tr(f"probes.ui.unreachable_{step}"))
        self.setAccessibleDescription(self.text())
        self.show()

    def text(self) -> str:
        return f"{self.title.text()}\n{self.body.text()}"


class SystemInfoView(QWidget):
    changed = Signal()  # the report's exclusions changed

    def __init__(self, config, run, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.run = run
        self.report = None
        self.last_problem = ""
        self._sized = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        hint = QLabel(tr("probes.ui.system_hint"))
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([tr("probes.ui.col_send"), tr("probes.ui.col_field"),
                                              tr("probes.ui.col_value")])
        self.table.setAccessibleName(tr("probes.ui.system_group"))
        self.table.setAccessibleDescription(tr("probes.ui.system_hint"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        fit_columns(self.table, 2)
        self.table.setWordWrap(True)
        self.table.itemChanged.connect(self._toggled)
        layout.addWidget(self.table)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName(tr("probes.ui.system_group"))
        layout.addWidget(self.notice)

    def show_report(self, report) -> None:
        self.report = report
        values = report.system.values
        excluded = set(report.system.excluded)
        locked = exclusions_locked(self.config)
        forced = remembered_exclusions(self.config) if locked else set()
        language = current_language()
        self.table.blockSignals(True)
        self.table.setRowCount(len(values))
        for row, (key, value) in enumerate(values.items()):
            label = field_label(key, language)
            send = QTableWidgetItem()
            send.setData(KEY_ROLE, key)
            send.setData(Qt.ItemDataRole.AccessibleTextRole, tr("probes.ui.send_field", field=label))
            flags = Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable
            if key not in forced:
                flags |= Qt.ItemFlag.ItemIsEnabled
            else:
                send.setToolTip(tr("probes.ui.locked"))
            send.setFlags(flags)
            send.setCheckState(Qt.CheckState.Unchecked if key in excluded or key in forced else Qt.CheckState.Checked)
            name = QTableWidgetItem(label)
            name.setToolTip(key)
            shown = QTableWidgetItem(value)
            shown.setToolTip(value)
            for column, cell in enumerate((send, name, shown)):
                self.table.setItem(row, column, cell)
        if values and not self._sized:  # once: measuring every row again costs a visible moment
            self.table.resizeColumnToContents(0)
            self.table.resizeColumnToContents(1)
            self._sized = True
        self.table.blockSignals(False)
        self.notice.setText("" if values else tr("probes.ui.system_empty"))

    def set_included(self, key: str, include: bool) -> None:
        """What ticking or unticking the row of ``key`` does (also used by keyboard and tests)."""
        for row in range(self.table.rowCount()):
            cell = self.table.item(row, 0)
            if cell is not None and cell.data(KEY_ROLE) == key:
                cell.setCheckState(Qt.CheckState.Checked if include else Qt.CheckState.Unchecked)
                return
        raise KeyError(key)

    def _toggled(self, cell: QTableWidgetItem) -> None:
        key = cell.data(KEY_ROLE)
        if self.report is None or not key or cell.column() != 0:
            return
        include = cell.checkState() == Qt.Checked
        excluded = set(self.report.system.excluded)
        if include == (key not in excluded):
            return
        excluded = excluded - {key} if include else excluded | {key}
        self.report.system.excluded = sorted(excluded)
        self.changed.emit()
        self._remember(key, include)

    def _remember(self, key: str, include: bool) -> None:
        if exclusions_locked(self.config):
            return  # the organisation decides; this report's choice still applies
        remembered = remembered_exclusions(self.config)
        remembered = remembered - {key} if include else remembered | {key}
        config = self.config

        def failed(exc: BaseException) -> None:
            reason = exc.message() if hasattr(exc, "message") else type(exc).__name__
            self.last_problem = tr("probes.ui.remember_failed", reason=reason)
            try:
                self.notice.setText(self.last_problem)
            except RuntimeError:  # the view was closed meanwhile
                pass

        self.run(lambda: remember_exclusions(config, remembered), on_error=failed, parent=self)


class SystemInfoDialog(QDialog):
    """The view on its own, opened from the Review step."""

    def __init__(self, report, config, run, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("probes.ui.review_title"))
        self.setAccessibleName(tr("probes.ui.review_title"))
        resize_to_fit(self, 760, 520)
        layout = QVBoxLayout(self)
        self.view = SystemInfoView(config, run, self)
        self.view.show_report(report)
        layout.addWidget(self.view)
        buttons = QDialogButtonBox()
        close = buttons.addButton(tr("probes.ui.close"), QDialogButtonBox.ButtonRole.AcceptRole)
        close.setAccessibleName(tr("probes.ui.close").replace("&", ""))
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)


def add_review_button(page, layout) -> QPushButton:
    """The Review step's way in: a button that opens the dialog for ``page.report``."""
    button = QPushButton(tr("probes.ui.review_button"))
    button.setAccessibleName(tr("probes.ui.review_button").replace("&", ""))
    button.setAccessibleDescription(tr("probes.ui.review_button_hint"))
    button.setToolTip(tr("probes.ui.review_button_hint"))

    def open_dialog() -> None:
        if page.report is None:
            return
        dialog = SystemInfoDialog(page.report, page.env.config, page.env.run, page)
        dialog.view.changed.connect(page.changed.emit)
        dialog.exec()
        page.refresh()

    button.clicked.connect(open_dialog)
    layout.addWidget(button)
    page.system_info_button = button
    return button
