"""The support status in the main window: open or closed right now, until when or when it opens
again (in the agent's local time), and the phone number with a button to call."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QWidget

from capture_app.core.hours.support_hours import SupportHours
from capture_app.core.platform.i18n import tr
from capture_app.ui.platform import theme
from capture_app.ui.platform.icons import icon

ICON_SIZE = QSize(theme.space(8), theme.space(8))


class SupportStatusPanel(QFrame):
    call_requested = Signal()

    def __init__(self, phone: str, clock: Callable[[], datetime],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(tr("ui.home.support_status"))
        self.clock = clock
        self.phone = phone
        self.hours: SupportHours | None = None
        self.agent_zone: str | None = None
        self.is_open: bool | None = None
        layout = QGridLayout(self)
        theme.set_spacing(layout, 3, 1)
        self.icon = QLabel()
        self.icon.setFixedSize(ICON_SIZE)
        layout.addWidget(self.icon, 0, 0, 2, 1, Qt.AlignmentFlag.AlignTop)
        self.state = theme.set_type(QLabel(), "title")
        self.when = QLabel()
        self.when.setWordWrap(True)
        self.phone_label = QLabel(tr("ui.home.phone", phone=phone))
        self.phone_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                                 | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        for row, label in enumerate((self.state, self.when, self.phone_label)):
            label.setAccessibleName(tr("ui.home.support_status"))
            layout.addWidget(label, row, 1)
        self.call_button = QPushButton(icon("phone"), tr("ui.home.call"))
        self.call_button.setAccessibleName(tr("ui.home.call").replace("&", ""))
        self.call_button.setToolTip(tr("ui.home.call_hint", phone=phone))
        self.call_button.clicked.connect(self.call_requested.emit)
        layout.addWidget(self.call_button, 2, 2)
        layout.setColumnStretch(1, 1)
        self.update_status()

    def set_hours(self, hours: SupportHours | None, agent_zone: str | None) -> None:
        self.hours = hours
        self.agent_zone = agent_zone
        self.update_status()

    def update_status(self) -> None:
        """The state at the clock's time now (called on every refresh of the support hours)."""
        if self.hours is None:
            self.is_open = None
            self.state.setText(tr("tray.hours_loading"))
            self.when.setText("")
            self.icon.setPixmap(icon("clock", "muted").pixmap(ICON_SIZE, self.devicePixelRatioF()))
            return
        now = self.clock()
        self.is_open = self.hours.is_open(now)
        self.state.setText(tr("ui.home.support_open") if self.is_open else tr("ui.home.support_closed"))
        parts = [self.hours.sentence(now, self.agent_zone), self.hours.closed_reason(now)]
        if not self.is_open:
            parts.append(tr("ui.home.closed_hint"))
        # Each part a sentence of its own: the next opening ends in a bracket, not a full stop.
        self.when.setText(" ".join(part if part.endswith((".", "!", "?")) else f"{part}."
                                   for part in parts if part))
        name, tone = ("phone", "ok") if self.is_open else ("clock", "muted")
        self.icon.setPixmap(icon(name, tone).pixmap(ICON_SIZE, self.devicePixelRatioF()))
        self.icon.setToolTip(self.state.text())
