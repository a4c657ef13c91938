"""Step 2: who has which problem where."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from capture_app.core.platform.i18n import current_language, tr
from capture_app.core.report.model import AFFECTED, AFFECTED_USERS, FREQUENCIES, URGENCIES
from capture_app.core.triage.catalogue import AREAS
from capture_app.core.wizard.steps import Step, selected_case
from capture_app.ui.platform.forms import Binder, add_row, fill_combo
from capture_app.ui.wizard.base import StepPage


def _text(multiline: bool = False) -> QWidget:
    if multiline:
        edit = QPlainTextEdit()
        edit.setTabChangesFocus(True)  # keyboard users leave the box with Tab
        edit.setMinimumHeight(60)
        edit.setMaximumHeight(110)
        return edit
    return QLineEdit()


class DetailsPage(StepPage):
    step = Step.DETAILS

    def build(self, body: QWidget) -> None:
        layout = QVBoxLayout(body)
        form = QFormLayout()
        layout.addLayout(form)
        bind = self.binder.bind

        add_row(form, "ui.details.summary", bind(_text(), "summary"), required=True,
                hint_key="ui.details.summary_hint")
        affected = QComboBox()
        fill_combo(affected, AFFECTED, "ui.affected")
        add_row(form, "ui.details.affected", bind(affected, "description.affected"), required=True)
        add_row(form, "ui.details.affected_name", bind(_text(), "description.affected_name"),
                hint_key="ui.details.affected_name_hint")
        area = QComboBox()
        area.setEditable(True)
        area.addItem("")
        for key in AREAS:
            area.addItem(tr(f"ui.area.{key}"))
        add_row(form, "ui.details.area", bind(area, "description.area"), required=True,
                hint_key="ui.details.where_hint")
        add_row(form, "ui.details.url", bind(_text(), "description.url"),
                hint_key="ui.details.url_hint")
        add_row(form, "ui.details.instance", bind(_text(), "flexperto_instance"),
                hint_key="ui.details.instance_hint")
        add_row(form, "ui.details.meeting", bind(_text(), "meeting_reference"),
                hint_key="ui.details.meeting_hint")
        add_row(form, "ui.details.what", bind(_text(True), "description.what"), required=True)
        add_row(form, "ui.details.steps", bind(_text(True), "description.steps"))
        add_row(form, "ui.details.expected", bind(_text(True), "description.expected"))
        add_row(form, "ui.details.actual", bind(_text(True), "description.actual"))
        for path, values, prefix, empty in (
            ("description.frequency", FREQUENCIES, "ui.frequency", "ui.common.choose"),
            ("description.affected_users", AFFECTED_USERS, "ui.affected_users", "ui.common.choose"),
            ("description.urgency", URGENCIES, "ui.urgency", None),
        ):
            combo = QComboBox()
            fill_combo(combo, values, prefix, empty_key=empty)
            add_row(form, f"ui.details.{path.split('.')[-1]}", bind(combo, path),
                    required=path.endswith("urgency"))

        self.case_box = QGroupBox(tr("ui.details.case_fields"))
        self.case_form = QFormLayout(self.case_box)
        layout.addWidget(self.case_box)
        self.case_binder: Binder | None = None
        self._case_for_fields: str | None = None

    def refresh(self) -> None:
        case = selected_case(self.loaded, self.env.context)
        if case is None or case.id == self._case_for_fields:
            if self.case_binder is not None:
                self.case_binder.load(self.report)
            self.case_box.setVisible(bool(case and case.fields))
            return
        self._case_for_fields = case.id
        while self.case_form.rowCount():
            self.case_form.removeRow(0)
        self.case_binder = Binder(self)
        self.case_binder.changed.connect(lambda _p: self.changed.emit())
        language = current_language()
        for case_field in case.fields:
            widget: QWidget
            if case_field.kind == "yesno":
                widget = QComboBox()
                fill_combo(widget, ("yes", "no"), "ui.common")
            else:
                widget = QLineEdit()
            label = case_field.label.get(language) or case_field.label["de"]
            widget.setAccessibleName(label)
            self.case_form.addRow(f"{label} *", widget)
            label_widget = self.case_form.labelForField(widget)
            if isinstance(label_widget, QLabel):
                label_widget.setBuddy(widget)
            self.case_binder.bind(widget, f"description.case_fields.{case_field.id}")
        self.case_binder.load(self.report)
        self.case_box.setVisible(bool(case.fields))

    def field_widget(self, field: str):
        if field.startswith("description.case_fields.") and self.case_binder is not None:
            return self.case_binder.widgets.get(field)
        return super().field_widget(field)
