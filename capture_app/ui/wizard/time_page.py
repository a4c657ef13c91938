"""Step 3: when did it happen — exactly, or roughly between two times — and in which time zone."""
from __future__ import annotations

from datetime import datetime
from typing import cast
from zoneinfo import ZoneInfo, available_timezones

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from capture_app.core.platform.i18n import tr
from capture_app.core.platform.timezones import valid_timezone
from capture_app.core.report.model import parse_instant
from capture_app.core.wizard.steps import Step
from capture_app.ui.platform.forms import add_row
from capture_app.ui.wizard.base import StepPage

COMMON_ZONES = ("Europe/Berlin", "Europe/Vienna", "Europe/Zurich", "Europe/London", "UTC")


def _edit() -> QDateTimeEdit:
    edit = QDateTimeEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd.MM.yyyy HH:mm")
    return edit


class TimePage(StepPage):
    step = Step.TIME

    def build(self, body: QWidget) -> None:
        layout = QVBoxLayout(body)
        modes = QHBoxLayout()
        self.exact = QRadioButton(tr("ui.time.exact"))
        self.window_mode = QRadioButton(tr("ui.time.window"))
        self.mode_group = QButtonGroup(self)
        for button in (self.exact, self.window_mode):
            button.setAccessibleName(button.text().replace("&", ""))
            self.mode_group.addButton(button)
            modes.addWidget(button)
        modes.addStretch(1)
        layout.addLayout(modes)
        self.exact.toggled.connect(self._mode_changed)

        form = QFormLayout()
        layout.addLayout(form)
        self.zone = QComboBox()
        self.zone.setEditable(True)
        zones = list(COMMON_ZONES) + sorted(available_timezones() - set(COMMON_ZONES))
        self.zone.addItems(zones)
        add_row(form, "ui.time.timezone", self.zone, required=True)
        self.at = _edit()
        self.at_label = add_row(form, "ui.time.at", self.at, required=True)
        self.start = _edit()
        self.start_label = add_row(form, "ui.time.start", self.start, required=True)
        self.end = _edit()
        self.end_label = add_row(form, "ui.time.end", self.end, required=True)
        self.now_button = QPushButton(tr("ui.time.now"))
        self.now_button.setAccessibleName(tr("ui.time.now").replace("&", ""))
        self.now_button.clicked.connect(self._set_now)
        form.addRow("", self.now_button)
        add_row(form, "ui.time.note", self.binder.bind(QLineEdit(), "occurred.note"),
                hint_key="ui.time.note_hint")
        for edit in (self.at, self.start, self.end):
            edit.dateTimeChanged.connect(self._times_changed)
        self.zone.currentTextChanged.connect(self._zone_changed)
        layout.addStretch(1)

    # Times are shown as wall-clock time in the chosen zone and stored with that zone's offset.
    def _zone(self) -> ZoneInfo | None:
        name = self.zone.currentText().strip()
        return ZoneInfo(name) if valid_timezone(name) else None

    def _to_iso(self, edit: QDateTimeEdit) -> str:
        zone = self._zone()
        if zone is None:
            return ""
        wall = cast(datetime, edit.dateTime().toPython()).replace(second=0, microsecond=0, tzinfo=None)
        return wall.replace(tzinfo=zone).isoformat(timespec="seconds")

    def _show(self, edit: QDateTimeEdit, value: str, fallback: datetime) -> None:
        moment = parse_instant(value)
        zone = self._zone()
        if moment is not None and zone is not None:
            moment = moment.astimezone(zone)
        wall = (moment or fallback).replace(tzinfo=None)
        edit.blockSignals(True)
        edit.setDateTime(QDateTime(wall))  # type: ignore[call-overload]  # PySide6 takes a datetime
        edit.blockSignals(False)

    def load(self, report) -> None:
        super().load(report)
        occurred = report.occurred
        if not occurred.timezone:
            occurred.timezone = report.agent_timezone or "Europe/Berlin"
        self.zone.blockSignals(True)
        self.zone.setEditText(occurred.timezone)
        self.zone.blockSignals(False)
        zone = self._zone()
        now = datetime.now(zone).replace(second=0, microsecond=0) if zone else datetime.now()
        self._show(self.at, occurred.at, now)
        self._show(self.start, occurred.start, now.replace(minute=0))
        self._show(self.end, occurred.end, now)
        self.exact.blockSignals(True)
        (self.exact if occurred.mode != "window" else self.window_mode).setChecked(True)
        self.exact.blockSignals(False)
        if not (occurred.at if occurred.mode == "exact" else occurred.start):
            self._store_times()  # a new report starts with "now" filled in, as the form shows
        self._apply_mode_visibility()

    def _apply_mode_visibility(self) -> None:
        exact = self.loaded.occurred.mode != "window"
        for widget in (self.at, self.at_label):
            widget.setVisible(exact)
        for widget in (self.start, self.start_label, self.end, self.end_label):
            widget.setVisible(not exact)

    def _mode_changed(self, _checked: bool) -> None:
        if self.report is None:
            return
        self.report.occurred.mode = "exact" if self.exact.isChecked() else "window"
        self._store_times()
        self._apply_mode_visibility()

    def _store_times(self) -> None:
        occurred = self.loaded.occurred
        if occurred.mode == "exact":
            occurred.at, occurred.start, occurred.end = self._to_iso(self.at), "", ""
        else:
            occurred.at = ""
            occurred.start, occurred.end = self._to_iso(self.start), self._to_iso(self.end)
        self.changed.emit()

    def _times_changed(self, _value) -> None:
        if self.report is not None:
            self._store_times()

    def _zone_changed(self, text: str) -> None:
        if self.report is None:
            return
        self.report.occurred.timezone = text.strip()
        self._store_times()

    def _set_now(self) -> None:
        zone = self._zone()
        now = QDateTime(datetime.now(zone).replace(  # type: ignore[call-overload]  # a datetime
            tzinfo=None, second=0, microsecond=0)) if zone \
            else QDateTime.currentDateTime()
        target = self.at if self.exact.isChecked() else self.end
        target.setDateTime(now)

    def field_widget(self, field: str):
        return {"occurred.at": self.at, "occurred.start": self.start, "occurred.end": self.end,
                "occurred.timezone": self.zone}.get(field) or super().field_widget(field)
