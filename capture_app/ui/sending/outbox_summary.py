"""The outbox at a glance in the main window: how many reports wait, and each one that needs
attention with its reason and the button that fixes it."""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from capture_app.core.platform.i18n import tr
from capture_app.ui.platform import theme
from capture_app.ui.platform.icons import icon
from capture_app.ui.sending import fixes

ICON = QSize(theme.space(5), theme.space(5))
WAITING = ("queued", "sending")


def _counted(key: str, n: int) -> str:
    return tr(f"{key}_one") if n == 1 else tr(f"{key}_many", n=n)


class AttentionRow(QWidget):
    """One report that needs attention: its summary, the reason and the fix."""

    def __init__(self, item, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report_id = item.report_id
        self.fix = fixes.fix_for(item)
        layout = QHBoxLayout(self)
        theme.set_spacing(layout, 0, 2)
        mark = QLabel()
        mark.setPixmap(icon("triangle-alert", "warning").pixmap(ICON, self.devicePixelRatioF()))
        layout.addWidget(mark, 0, Qt.AlignmentFlag.AlignTop)
        summary = item.summary or tr("ui.main.untitled")
        reason = item.error.message() if item.error is not None else ""
        self.text = QLabel(tr("ui.home.attention_row", summary=summary, reason=reason).strip())
        self.text.setWordWrap(True)
        self.text.setAccessibleName(tr("sending.outbox_ui.state_needs_attention"))
        layout.addWidget(self.text, 1)
        self.fix_button = QPushButton(fixes.fix_button_text(item))
        self.fix_button.setAccessibleName(
            f"{self.fix_button.text().replace('&', '')}: {summary}")
        layout.addWidget(self.fix_button, 0, Qt.AlignmentFlag.AlignTop)


class OutboxSummary(QFrame):
    edit_requested = Signal(str)  # back in the drafts: open it in the wizard
    settings_requested = Signal()
    outbox_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(tr("ui.home.outbox"))
        self.service = None
        self.rows: list[AttentionRow] = []
        layout = QVBoxLayout(self)
        theme.set_spacing(layout, 3, 2)
        head = QHBoxLayout()
        self.icon = QLabel()
        head.addWidget(self.icon)
        self.state = QLabel(tr("ui.home.outbox_empty"))
        self.state.setWordWrap(True)
        self.state.setAccessibleName(tr("ui.home.outbox"))
        head.addWidget(self.state, 1)
        self.open_button = QPushButton(icon("inbox"), tr("sending.ui.outbox_button"))
        self.open_button.setAccessibleName(tr("sending.ui.outbox_button").replace("&", ""))
        self.open_button.setToolTip(tr("sending.ui.outbox_hint"))
        self.open_button.clicked.connect(self.outbox_requested.emit)
        head.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(head)
        self.attention = QVBoxLayout()
        self.attention.setSpacing(theme.space(1))
        layout.addLayout(self.attention)
        self._show_state([])

    def attach(self, service) -> None:
        """The sending service exists (it is created on first use): follow its outbox."""
        if self.service is service:
            return
        self.service = service
        service.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        items: list = []
        if self.service is not None:
            try:
                items = self.service.outbox.items()
            except Exception:  # noqa: BLE001 - the main window's notices say why the store failed
                items = []
        self._show_state(items)
        for row in self.rows:
            row.deleteLater()
        self.rows = []
        for item in (i for i in items if i.state == "needs_attention"):
            row = AttentionRow(item, self)
            row.fix_button.clicked.connect(lambda _c=False, r=row: self.apply_fix(r))
            self.attention.addWidget(row)
            self.rows.append(row)

    def _show_state(self, items: list) -> None:
        waiting = sum(1 for item in items if item.state in WAITING)
        attention = sum(1 for item in items if item.state == "needs_attention")
        handed_over = sum(1 for item in items if item.state == "handed_over")
        lines = []
        if waiting:
            needs_agent = self.service is not None and self.service.needs_agent()
            lines.append(_counted("ui.home.outbox_waiting_agent" if needs_agent
                                  else "ui.home.outbox_waiting", waiting))
        if handed_over:
            lines.append(_counted("ui.home.outbox_handed_over", handed_over))
        if attention:
            lines.append(_counted("ui.home.outbox_attention", attention))
        self.state.setText(" ".join(lines) or tr("ui.home.outbox_empty"))
        name, tone = (("triangle-alert", "warning") if attention else ("send", "accent") if waiting
                      else ("circle-check", "ok"))
        self.icon.setPixmap(icon(name, tone).pixmap(ICON, self.devicePixelRatioF()))

    def apply_fix(self, row: AttentionRow) -> None:
        if self.service is None:
            return
        if row.fix == fixes.SETTINGS:
            self.settings_requested.emit()
        elif row.fix == fixes.EDIT:
            if fixes.back_to_drafts(self.service, row.report_id, self):
                self.edit_requested.emit(row.report_id)
        else:
            fixes.retry(self.service, row.report_id, self)
