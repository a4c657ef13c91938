"""Step 4: devices and browsers with versions, on the advisor's and on the customer's side."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup, QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
    QRadioButton, QVBoxLayout, QWidget,
)

from capture_app.core.i18n import tr
from capture_app.core.report import DEVICE_TYPES
from capture_app.core.wizard import Step
from capture_app.ui.forms import add_row, fill_combo
from capture_app.ui.wizard.base import StepPage

OPERATING_SYSTEMS = ("Windows", "macOS", "iPadOS", "iOS", "Android", "Linux", "ChromeOS")
BROWSERS = ("Chrome", "Edge", "Firefox", "Safari", "Opera", "Brave", "Samsung Internet")


class EnvironmentPage(StepPage):
    step = Step.ENVIRONMENT

    def build(self, body: QWidget) -> None:
        layout = QVBoxLayout(body)
        question = QLabel(tr("ui.env.this_machine_question"))
        question.setWordWrap(True)
        layout.addWidget(question)
        answers = QHBoxLayout()
        self.this_machine = QRadioButton(tr("ui.env.this_machine_yes"))
        self.other_machine = QRadioButton(tr("ui.env.this_machine_no"))
        group = QButtonGroup(self)
        for button in (self.this_machine, self.other_machine):
            button.setAccessibleName(f"{question.text()} {button.text().replace('&', '')}")
            group.addButton(button)
            answers.addWidget(button)
        answers.addStretch(1)
        layout.addLayout(answers)
        self.this_machine.toggled.connect(self._source_changed)
        self.unknown_boxes: dict[str, QCheckBox] = {}
        self.side_forms: dict[str, QWidget] = {}
        for side in ("advisor_environment", "customer_environment"):
            layout.addWidget(self._side_box(side))
        layout.addStretch(1)

    def _side_box(self, side: str) -> QGroupBox:
        box = QGroupBox(tr(f"ui.env.{side}"))
        outer = QVBoxLayout(box)
        unknown = QCheckBox(tr("ui.env.unknown"))
        unknown.setAccessibleName(f"{tr(f'ui.env.{side}')}: {tr('ui.env.unknown').replace('&', '')}")
        self.binder.bind(unknown, f"{side}.unknown")
        unknown.toggled.connect(self.refresh)
        self.unknown_boxes[side] = unknown
        outer.addWidget(unknown)
        fields = QWidget()
        form = QFormLayout(fields)
        form.setContentsMargins(0, 0, 0, 0)
        bind = self.binder.bind
        prefix = tr(f"ui.env.{side}")
        device = QComboBox()
        fill_combo(device, DEVICE_TYPES, "ui.device")
        os_combo = QComboBox()
        os_combo.setEditable(True)
        os_combo.addItems(("",) + OPERATING_SYSTEMS)
        browser = QComboBox()
        browser.setEditable(True)
        browser.addItems(("",) + BROWSERS)
        rows = (("device_type", device, True, None), ("os", os_combo, False, None),
                ("os_version", QLineEdit(), False, "ui.env.os_version_hint"),
                ("browser", browser, True, None),
                ("browser_version", QLineEdit(), True, "ui.env.browser_version_hint"),
                ("user_agent", QLineEdit(), False, "ui.env.user_agent_hint"),
                ("notes", QLineEdit(), False, None))
        for name, widget, required, hint in rows:
            add_row(form, f"ui.env.{name}", bind(widget, f"{side}.{name}"), required=required,
                    hint_key=hint)
            # Two sides share labels: tell screen-reader users which side a field belongs to.
            widget.setAccessibleName(f"{prefix}: {widget.accessibleName()}")
            if isinstance(widget, QComboBox) and widget.isEditable():
                widget.lineEdit().setAccessibleName(widget.accessibleName())
        self.side_forms[side] = fields
        outer.addWidget(fields)
        return box

    def load(self, report) -> None:
        super().load(report)
        on_this = report.advisor_environment.source == "this_machine"
        for button, checked in ((self.this_machine, on_this), (self.other_machine, not on_this)):
            button.blockSignals(True)
            button.setChecked(checked)
            button.blockSignals(False)

    def _source_changed(self, _checked: bool) -> None:
        if self.report is None:
            return
        self.report.advisor_environment.source = (
            "this_machine" if self.this_machine.isChecked() else "manual")
        self.changed.emit()

    def refresh(self) -> None:
        if self.report is None:
            return
        for side, fields in self.side_forms.items():
            fields.setEnabled(not getattr(self.report, side).unknown)
