"""Step 1: what is the request about? Cases of the support structure, grouped by outcome."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGroupBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QTreeWidget, QTreeWidgetItem,
    QVBoxLayout, QWidget,
)

from capture_app.core.i18n import current_language, tr
from capture_app.core.triage import CATEGORY_ORDER
from capture_app.core.wizard import (
    Outcome, Step, choose_case, escalate, is_escalated_exception, outcome, selected_case,
)
from capture_app.ui.roles import USER_ROLE
from capture_app.ui.wizard.base import StepPage

CASE_ROLE = USER_ROLE + 1


class TriagePage(StepPage):
    step = Step.TRIAGE
    resolved = Signal()  # the agent solved it without Flexperto: the draft can go

    def build(self, body: QWidget) -> None:
        layout = QVBoxLayout(body)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setAccessibleName(tr("ui.triage.cases"))
        self.tree.setAccessibleDescription(tr("ui.triage.cases_hint"))
        language = current_language()
        for category in CATEGORY_ORDER:
            # Category rows can be passed through with the arrow keys; choosing one picks no case.
            top = QTreeWidgetItem([tr(f"ui.category.{category}")])
            self.tree.addTopLevelItem(top)
            for case in self.env.context.catalogue.by_category(category):
                child = QTreeWidgetItem([case.title_in(language)])
                child.setData(0, CASE_ROLE, case.id)
                top.addChild(child)
        self.tree.expandAll()
        self.tree.currentItemChanged.connect(self._case_chosen)
        layout.addWidget(self.tree, 1)

        self.outcome_box = QGroupBox(tr("ui.triage.outcome"))
        box = QVBoxLayout(self.outcome_box)
        self.outcome_title = QLabel()
        self.outcome_title.setWordWrap(True)
        self.guidance = QLabel()
        self.guidance.setWordWrap(True)
        box.addWidget(self.outcome_title)
        box.addWidget(self.guidance)
        buttons = QHBoxLayout()
        self.solved_button = QPushButton(tr("ui.triage.solved"))
        self.solved_button.setAccessibleName(tr("ui.triage.solved"))
        self.solved_button.clicked.connect(self.resolved.emit)
        self.escalate_button = QPushButton(tr("ui.triage.escalate"))
        self.escalate_button.setAccessibleName(tr("ui.triage.escalate"))
        self.escalate_button.clicked.connect(self._escalate)
        self.undo_button = QPushButton(tr("ui.triage.undo_escalation"))
        self.undo_button.setAccessibleName(tr("ui.triage.undo_escalation"))
        self.undo_button.clicked.connect(self._undo_escalation)
        for button in (self.solved_button, self.escalate_button, self.undo_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        box.addLayout(buttons)
        self.reason_label = QLabel(tr("ui.triage.reason"))
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName(tr("ui.triage.reason"))
        self.reason.setTabChangesFocus(True)
        self.reason.setMaximumHeight(90)
        self.reason_label.setBuddy(self.reason)
        self.binder.bind(self.reason, "triage.escalation_reason")
        box.addWidget(self.reason_label)
        box.addWidget(self.reason)
        layout.addWidget(self.outcome_box)

    def load(self, report) -> None:
        super().load(report)
        self._select_current()

    def _select_current(self) -> None:
        case_id = self.report.triage.case_id
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            for j in range(top.childCount()):
                if top.child(j).data(0, CASE_ROLE) == case_id:
                    self.tree.blockSignals(True)
                    self.tree.setCurrentItem(top.child(j))
                    self.tree.blockSignals(False)

    def first_control(self):
        return self.tree

    def field_widget(self, field: str):
        return self.tree if field.startswith("triage.case") else super().field_widget(field)

    def _case_chosen(self, item: QTreeWidgetItem | None, _previous) -> None:
        case_id = item.data(0, CASE_ROLE) if item else None
        if not case_id or self.report is None or case_id == self.report.triage.case_id:
            return
        choose_case(self.report, self.env.context.catalogue.get(case_id))
        self.binder.load(self.report)
        self.refresh()
        self.changed.emit()
        self.structure_changed.emit()

    def _escalate(self) -> None:
        escalate(self.report, self.reason.toPlainText())
        self.refresh()
        self.changed.emit()
        self.structure_changed.emit()
        self.reason.setFocus()

    def _undo_escalation(self) -> None:
        choose_case(self.report, selected_case(self.report, self.env.context))
        self.binder.load(self.report)
        self.refresh()
        self.changed.emit()
        self.structure_changed.emit()

    def refresh(self) -> None:
        case = selected_case(self.report, self.env.context)
        self.outcome_box.setVisible(case is not None)
        if case is None:
            return
        result = outcome(self.report)
        escalated = is_escalated_exception(self.report, self.env.context)
        self.outcome_title.setText(f"<b>{tr(f'ui.outcome.{case.outcome}')}</b>")
        from PySide6.QtCore import Qt  # a case is chosen: the window is long on screen

        self.guidance.setTextInteractionFlags(Qt.TextSelectableByMouse | Qt.TextSelectableByKeyboard)
        guidance = case.guidance_in(current_language())
        if case.outcome == Outcome.PROJECT_LEAD.value:
            guidance += "\n\n" + self._project_lead_text()
        self.guidance.setText(guidance)
        self.guidance.setAccessibleName(guidance)
        self.solved_button.setVisible(case.outcome == Outcome.SELF_HELP.value and not escalated)
        self.escalate_button.setVisible(case.outcome != Outcome.ESCALATE.value and not escalated)
        self.undo_button.setVisible(escalated)
        self.reason_label.setVisible(escalated)
        self.reason.setVisible(escalated)
        if result is Outcome.ESCALATE and case.outcome == Outcome.ESCALATE.value:
            self.outcome_title.setText(f"<b>{tr('ui.outcome.second_level')}</b>")

    def _project_lead_text(self) -> str:
        config = self.env.config
        name, email, phone = (config.get(f"project_lead.{k}") for k in ("name", "email", "phone"))
        if not (name or email or phone):
            return tr("ui.triage.no_project_lead")
        parts = [p for p in (name, email, phone) if p]
        return tr("ui.triage.project_lead_contact", contact=" · ".join(parts))
