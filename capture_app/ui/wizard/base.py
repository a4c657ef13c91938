"""What every wizard page shares."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from capture_app.core.platform.i18n import tr
from capture_app.core.wizard.steps import Step, WizardContext
from capture_app.ui.platform.forms import Binder
from capture_app.ui.platform.roles import plain_text

if TYPE_CHECKING:
    from capture_app.core.report.model import Report


@dataclass
class WizardEnv:
    """What pages need from the outside, passed in rather than looked up."""

    context: WizardContext
    config: Any  # capture_app.core.platform.config.Config
    store: Any  # capture_app.core.report.drafts.DraftStore
    run: Callable[..., Any]  # ui.tasks.run_in_background
    # Gives the app's ui.sender.SendingService (created on first use); None: no sending here.
    sending: Callable[[], Any] | None = None
    # Where cases closed in triage are counted (core.triage_log); None: not counted.
    closed_log: Any = None  # pathlib.Path


class StepPage(QWidget):
    step: Step
    scrolls = True  # the page's form scrolls as a whole (False: its parts scroll on their own)
    changed = Signal()  # the agent changed the report
    structure_changed = Signal()  # the set of applicable steps may have changed

    def __init__(self, env: WizardEnv, parent: QWidget | None = None):
        super().__init__(parent)
        self.env = env
        self.report: Report | None = None  # set by load()
        self.binder = Binder(self)
        self.binder.changed.connect(lambda _path: self.changed.emit())
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        # A plain label in a large bold font: the first rich-text label of the app would set up
        # Qt's HTML engine (~15 ms) before the wizard could appear.
        heading = QLabel(tr(f"ui.step.{self.step.value}"))
        plain_text(heading)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        heading.setFont(font)
        heading.setAccessibleName(tr(f"ui.step.{self.step.value}"))
        self.heading = heading
        outer.addWidget(heading)
        intro = QLabel(tr(f"ui.step_intro.{self.step.value}"))
        intro.setWordWrap(True)
        outer.addWidget(intro)
        self.body = QWidget()
        if self.scrolls:
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setWidget(self.body)
            outer.addWidget(scroll, 1)
        else:
            outer.addWidget(self.body, 1)
        self.build(self.body)

    def build(self, body: QWidget) -> None:
        raise NotImplementedError

    @property
    def loaded(self) -> Report:
        """The report shown; the handlers that use it only run after ``load``."""
        assert self.report is not None, "the page was not loaded"
        return self.report

    def load(self, report) -> None:
        self.report = report
        self.binder.load(report)
        self.refresh()

    def refresh(self) -> None:
        """Update widgets that depend on other answers (called after load and on changes)."""

    def first_control(self) -> QWidget | None:
        """Where keyboard focus goes when the page is shown; None: the first in Tab order."""
        return None

    def field_widget(self, field: str) -> QWidget | None:
        return self.binder.widgets.get(field)

    def action_buttons(self) -> list[QWidget]:
        """The step's own actions; the window shows them in its fixed button bar, so they never
        scroll out of view with a long page."""
        return []

    def primary_button(self) -> QWidget | None:
        """The step's main action (the default button) when it is not "Weiter"."""
        return None
