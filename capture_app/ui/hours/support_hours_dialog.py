"""Support-Zeiten: when Flexperto support is reachable, now and in the coming weeks."""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from capture_app.core.hours.support_hours import ChangedDay, SupportHours, date_text
from capture_app.core.platform.i18n import tr


class SupportHoursDialog(QDialog):
    def __init__(self, hours: SupportHours, now: datetime, agent_zone: str, phone: str,
                 call, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("tray.hours_title"))
        self.setAccessibleName(tr("tray.hours_title"))
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)

        self.status = QLabel(hours.sentence(now, agent_zone))
        font = self.status.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.status.setFont(font)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        reason = hours.closed_reason(now)
        if reason:
            layout.addWidget(_text(reason))

        regular = tr("tray.hours_regular", hours=hours.weekly_summary(),
                     zone=hours.timezone.key)
        layout.addWidget(_text(regular))
        local = hours.local_hours_note(now, agent_zone)
        if local:
            layout.addWidget(_text(local))
        region = hours.holidays.region
        layout.addWidget(_text(tr("tray.hours_holidays", region=region) if region
                               else tr("tray.hours_no_holidays")))

        heading = QLabel(tr("tray.hours_upcoming"))
        layout.addWidget(heading)
        self.exceptions = QListWidget()
        self.exceptions.setAccessibleName(tr("tray.hours_upcoming"))
        heading.setBuddy(self.exceptions)
        for item in hours.upcoming_exceptions(now):
            day = date_text(item.day)
            if isinstance(item, ChangedDay):
                text = tr("tray.hours_changed_day", day=day, opens=item.opens.strftime("%H:%M"),
                          closes=item.closes.strftime("%H:%M"))
            elif item.reason == "holiday":
                text = tr("tray.hours_holiday_day", day=day, name=item.name)
            else:
                text = tr("tray.hours_closed_day", day=day)
            self.exceptions.addItem(text)
        if self.exceptions.count() == 0:
            self.exceptions.addItem(tr("tray.hours_no_exceptions"))
        self.exceptions.setMaximumHeight(120)
        layout.addWidget(self.exceptions)

        layout.addWidget(_text(tr("tray.hours_phone", phone=phone)))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("tray.close"))
        self.call_button = QPushButton(tr("tray.call_now"))
        buttons.addButton(self.call_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.call_button.clicked.connect(call)
        for button in buttons.buttons():
            button.setAccessibleName(button.text().replace("&", ""))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def _text(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    return label
