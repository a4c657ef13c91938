"""The wizard window: step list, the current page, problems, and navigation.

Which steps exist and whether "Weiter" may proceed is asked of ``core.wizard`` every time; this
window only shows the answers. Every change is autosaved shortly after the agent stops typing,
in the background, one save after the other.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from capture_app.core.platform.i18n import tr
from capture_app.core.report.model import Report
from capture_app.core.wizard.steps import (
    ERROR,
    Step,
    applicable_steps,
    can_advance,
    errors,
    next_step,
    outcome,
    previous_step,
    step_problems,
)
from capture_app.ui.platform.close_key import close_on_alt_f4
from capture_app.ui.platform.first_frame import watch_first_frame
from capture_app.ui.platform.forms import WheelScrollsPage, mark_invalid
from capture_app.ui.platform.roles import ACCESSIBLE_TEXT_ROLE, USER_ROLE
from capture_app.ui.platform.screen_fit import resize_to_fit
from capture_app.ui.platform.tasks import serial_pool
from capture_app.ui.wizard.base import StepPage, WizardEnv

if TYPE_CHECKING:
    from capture_app.ui.wizard.triage_page import TriagePage

log = logging.getLogger(__name__)

STEP_CURRENT, STEP_DONE, STEP_ERROR, STEP_OPEN = "current", "done", "error", "open"
STEP_ICONS = {STEP_CURRENT: ("circle-dot", "accent"), STEP_DONE: ("circle-check", "ok"),
              STEP_ERROR: ("circle-alert", "error"), STEP_OPEN: ("circle", "muted")}
STEP_STATE_ROLE = USER_ROLE + 1


def _page_class(step: Step) -> type[StepPage]:
    # Pages are imported when first shown: the wizard appears before the later steps are built.
    if step is Step.TRIAGE:
        from capture_app.ui.wizard.triage_page import TriagePage
        return TriagePage
    if step is Step.DETAILS:
        from capture_app.ui.wizard.details_page import DetailsPage
        return DetailsPage
    if step is Step.TIME:
        from capture_app.ui.wizard.time_page import TimePage
        return TimePage
    if step is Step.ENVIRONMENT:
        from capture_app.ui.wizard.environment_page import EnvironmentPage
        return EnvironmentPage
    if step is Step.EVIDENCE:
        from capture_app.ui.wizard.evidence_page import EvidencePage
        return EvidencePage
    from capture_app.ui.wizard.review_page import ReviewPage
    return ReviewPage


def _first_focusable(page: QWidget) -> QWidget | None:
    """The first control of a page in Tab order, where a keyboard user expects to start."""
    from PySide6.QtCore import Qt

    widget = page.nextInFocusChain()
    for _ in range(500):
        if widget is page or widget is None:
            return None
        if (page.isAncestorOf(widget) and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
                and widget.isEnabled() and widget.isVisibleTo(page)
                and not isinstance(widget, (QLabel, QScrollArea))):
            return widget
        widget = widget.nextInFocusChain()
    return None


class WizardWindow(QWidget):
    saved = Signal(str)  # report id, after each successful autosave
    closed = Signal(str)  # report id
    discarded = Signal(str)  # the agent solved the case; the draft was deleted
    close_refused = Signal(str)  # report id: closing was cancelled, the window stays open

    def __init__(self, report: Report, env: WizardEnv, *, start_step: Step = Step.TRIAGE,
                 autosave_delay_ms: int = 400, parent: QWidget | None = None):
        super().__init__(parent)
        self.report = report
        self.env = env
        self.pages: dict[Step, StepPage] = {}
        self.current: Step = start_step if start_step in applicable_steps(report) else Step.TRIAGE
        self._tried_to_advance: set[Step] = set()
        self._visited: set[Step] = set()
        self._actions: dict[Step, QWidget] = {}  # each step's own buttons in the button bar
        self._wheel_guard = WheelScrollsPage(self)
        self._marked: set[QWidget] = set()  # fields shown with a problem
        self._save_pool = serial_pool(self)
        self._pending_saves = 0
        self._dirty = False
        self._discarding = False
        # From the start of closeEvent until it ends: results arriving meanwhile (delivered
        # while it waits for the last save) must not go into a report that is no longer saved.
        self.closing = False
        self.last_save_error: str | None = None
        self.setWindowTitle(tr("ui.wizard.title"))
        self.setAccessibleName(tr("ui.wizard.title"))
        resize_to_fit(self, 980, 720)
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(autosave_delay_ms)
        self._autosave.timeout.connect(self.save_now)
        self._build()
        self._show_step(self.current)
        watch_first_frame(self)  # what would hold up the first frame waits for it

    # -- layout

    def _build(self) -> None:
        root = QHBoxLayout(self)
        self.step_list = QListWidget()
        self.step_list.setAccessibleName(tr("ui.wizard.steps"))
        self.step_list.setMaximumWidth(220)
        self.step_list.itemActivated.connect(self._step_clicked)
        self.step_list.itemClicked.connect(self._step_clicked)
        root.addWidget(self.step_list)
        right = QVBoxLayout()
        root.addLayout(right, 1)
        self.stack = QStackedWidget()
        right.addWidget(self.stack, 1)
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setAccessibleName(tr("ui.wizard.problems"))
        right.addWidget(self.problems)
        buttons = QHBoxLayout()
        self.button_bar = buttons
        self.status = QLabel()
        self.status.setAccessibleName(tr("ui.wizard.save_status"))
        buttons.addWidget(self.status, 1)
        self.close_button = QPushButton(tr("ui.wizard.close"))
        self.back_button = QPushButton(tr("ui.wizard.back"))
        self.next_button = QPushButton(tr("ui.wizard.next"))
        for button in (self.close_button, self.back_button, self.next_button):
            button.setAccessibleName(button.text().replace("&", ""))
            buttons.addWidget(button)
        self.next_button.setDefault(True)
        self.close_button.clicked.connect(self.close)
        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self.go_next)
        right.addLayout(buttons)
        QShortcut(QKeySequence("Alt+Right"), self, self.go_next)
        QShortcut(QKeySequence("Alt+Left"), self, self.go_back)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save_now)
        close_on_alt_f4(self)

    def page(self, step: Step) -> StepPage:
        if step not in self.pages:
            page = _page_class(step)(self.env)
            page.changed.connect(self._report_changed)
            page.structure_changed.connect(self._structure_changed)
            if step is Step.TRIAGE:
                cast("TriagePage", page).resolved.connect(self._resolved)
            actions = page.action_buttons()
            if actions:
                box = QWidget()
                row = QHBoxLayout(box)
                row.setContentsMargins(0, 0, 0, 0)
                for widget in actions:
                    row.addWidget(widget)
                box.hide()
                self.button_bar.addWidget(box)
                self._actions[step] = box
            self.stack.addWidget(page)
            self.pages[step] = page
            page.load(self.report)
        return self.pages[step]

    # -- navigation

    def _show_step(self, step: Step) -> None:
        self.current = step
        self._visited.add(step)
        page = self.page(step)
        page.load(self.report)
        self._wheel_guard.watch(page)  # after load: a case's own fields exist by now
        self.stack.setCurrentWidget(page)
        banner = getattr(self, "capture_banner", None)  # the screenshot taken at the start
        if banner is not None:
            # On the first step, to check it for personal data; later it is under Nachweise and
            # the steps need the room (a 720p screen).
            if step is not Step.TRIAGE:
                banner.hide()
            elif banner.item is not None:
                banner.show()
        self._refresh_steps()
        self._refresh_problems()
        self._refresh_buttons()
        first = page.first_control() or _first_focusable(page)
        if first is not None:
            first.setFocus()

    def go_next(self) -> None:
        if not self.next_button.isEnabled():
            return
        self._tried_to_advance.add(self.current)
        if not can_advance(self.report, self.current, self.env.context):
            self._refresh_problems(focus=True)
            return
        following = next_step(self.report, self.current)
        if following is not None:
            self._show_step(following)

    def go_back(self) -> None:
        previous = previous_step(self.report, self.current)
        if previous is not None:
            self._show_step(previous)

    def go_to(self, step: Step) -> bool:
        """Jump to a step the agent may reach: any earlier one, or the next incomplete one."""
        steps = applicable_steps(self.report)
        if step not in steps:
            return False
        for earlier in steps[: steps.index(step)]:
            if not can_advance(self.report, earlier, self.env.context):
                self._tried_to_advance.add(earlier)
                self._show_step(earlier)
                return False
        self._show_step(step)
        return True

    def _step_clicked(self, item: QListWidgetItem) -> None:
        self.go_to(Step(item.data(USER_ROLE)))

    # -- state shown

    def step_state(self, step: Step) -> str:
        """``current``, ``done`` (seen and complete), ``error`` (seen, or tried to leave, and
        something is missing) or ``open`` (not seen yet)."""
        if step is self.current:
            return STEP_CURRENT
        if step not in self._visited and step not in self._tried_to_advance:
            return STEP_OPEN
        return STEP_DONE if can_advance(self.report, step, self.env.context) else STEP_ERROR

    def _refresh_steps(self) -> None:
        from capture_app.ui.platform.icons import icon

        self.step_list.blockSignals(True)
        self.step_list.clear()
        for number, step in enumerate(applicable_steps(self.report), start=1):
            state = self.step_state(step)
            name, tone = STEP_ICONS[state]
            item = QListWidgetItem(icon(name, tone), f"{number}. {tr(f'ui.step.{step.value}')}")
            item.setData(USER_ROLE, step.value)
            item.setData(STEP_STATE_ROLE, state)
            item.setToolTip(tr(f"ui.wizard.step_{state}"))
            item.setData(ACCESSIBLE_TEXT_ROLE, f"{number}. {tr(f'ui.step.{step.value}')}, "
                                               f"{tr(f'ui.wizard.step_{state}')}")
            self.step_list.addItem(item)
            if step is self.current:
                self.step_list.setCurrentItem(item)
        self.step_list.blockSignals(False)

    def _refresh_buttons(self) -> None:
        steps = applicable_steps(self.report)
        self.back_button.setEnabled(steps.index(self.current) > 0 if self.current in steps else False)
        is_last = next_step(self.report, self.current) is None
        self.next_button.setVisible(not is_last)
        self.next_button.setEnabled(not is_last)
        for step, box in self._actions.items():
            box.setVisible(step is self.current)
        page = self.pages.get(self.current)
        primary = page.primary_button() if page is not None else None
        from capture_app.ui.platform import theme

        for button in self.findChildren(QPushButton):
            button.setDefault(False)
            button.setAutoDefault(False)
            theme.clear_primary(button)
        if primary is None and not is_last:
            primary = self.next_button
        if isinstance(primary, QPushButton):
            primary.setDefault(True)
            theme.make_primary(primary)
        self._primary = primary

    def keyPressEvent(self, event) -> None:
        # As in a dialog: Enter in a field that does not use it presses the step's main button.
        from PySide6.QtCore import Qt

        primary = getattr(self, "_primary", None)
        if (event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
                and primary is not None and primary.isVisible() and primary.isEnabled()):
            primary.click()
            return
        super().keyPressEvent(event)

    def _refresh_problems(self, focus: bool = False) -> None:
        page = self.pages.get(self.current)
        problems = step_problems(self.report, self.current, self.env.context)
        shown_errors = self.current in self._tried_to_advance
        visible = [p for p in problems if p.severity != ERROR or shown_errors]
        if page is not None:
            # Every field marked before (a case's own fields and the time fields too) is
            # cleared unless it still has a problem.
            marked, self._marked = self._marked, set()
            from shiboken6 import isValid  # a case's fields are replaced when the case changes

            for old in list(page.binder.widgets.values()) + list(marked):
                if isValid(old):
                    mark_invalid(old, None)
            # Hints first, errors last: a field with both shows the error.
            for problem in sorted(problems, key=lambda p: p.severity == ERROR):
                widget = page.field_widget(problem.field)
                if widget is not None:
                    mark_invalid(widget, problem.message() if problem in visible else None,
                                 warning=problem.severity != ERROR)
                    self._marked.add(widget)
        lines = []
        if visible:
            from html import escape

            from capture_app.ui.platform.theme import colours as scheme_colours

            colours = scheme_colours()
        for problem in visible:
            colour, word = ((colours.error, tr("ui.wizard.error")) if problem.severity == ERROR
                            else (colours.warning, tr("ui.wizard.warning")))
            lines.append(f"<span style='color:{colour}'>● <b>{word}:</b></span> "
                         f"{escape(problem.message())}")
        self.problems.setText("<br>".join(lines))
        # The label's accessible name is its title: the messages go to screen readers here.
        self.problems.setAccessibleDescription("\n".join(
            f"{tr('ui.wizard.error') if p.severity == ERROR else tr('ui.wizard.warning')}: "
            f"{p.message()}" for p in visible))
        self.problems.setVisible(bool(lines))
        if lines:
            from PySide6.QtCore import Qt

            self.problems.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # keyboard users can read the list
        if focus and page is not None:
            blocking = errors(problems)
            first = page.field_widget(blocking[0].field) if blocking else None
            (first or self.problems).setFocus()

    # -- changes and saving

    def _report_changed(self) -> None:
        self._dirty = True
        self._autosave.start()
        self.status.setText(tr("ui.wizard.unsaved"))
        self._refresh_problems()
        self._refresh_steps()

    def _structure_changed(self) -> None:
        # Another case (or an escalation) asks other things of the later steps: none of them
        # counts as done until the agent has seen it again.
        self._visited = {self.current}
        self._refresh_steps()
        self._refresh_buttons()

    def save_now(self) -> None:
        """Save a snapshot of the report in the background (saves run one after another)."""
        self._autosave.stop()
        if not self._dirty:
            return
        self._dirty = False
        snapshot = Report.from_dict(self.report.to_dict())
        store = self.env.store
        self._pending_saves += 1

        def done(_revision) -> None:
            self._pending_saves -= 1
            self.last_save_error = None
            # The database was deleted while the app ran and has just been recreated: saved,
            # but the agent must know (the notice says what happened).
            recreated = store.take_notices(("drafts.db_recreated",))
            self.status.setText(tr("ui.wizard.saved_recreated" if recreated else "ui.wizard.saved"))
            self.status.setToolTip("\n\n".join(n.message() for n in recreated))
            self.saved.emit(self.report.id)

        def failed(exc: BaseException) -> None:
            self._pending_saves -= 1
            self._dirty = True  # try again with the next change or on close
            message = exc.message() if hasattr(exc, "message") else tr(
                "ui.wizard.save_failed", reason=type(exc).__name__)
            self.last_save_error = message
            self.status.setText(tr("ui.wizard.not_saved"))
            self.status.setToolTip(message)
            log.warning("autosave failed: %s", type(exc).__name__)

        self.env.run(lambda: store.save(snapshot), on_success=done, on_error=failed,
                     pool=self._save_pool)

    def wait_for_saves(self, timeout_ms: int = 10_000) -> bool:
        from PySide6.QtWidgets import QApplication

        finished = self._save_pool.waitForDone(timeout_ms)
        QApplication.processEvents()  # deliver the results of the finished saves
        return finished

    def flush(self) -> bool:
        """Save now and wait until every save has finished."""
        self.save_now()
        return self.wait_for_saves()

    def mark_dirty(self) -> None:
        """For pages that change the report outside the binder (evidence, review)."""
        self._report_changed()

    def _resolved(self) -> None:
        from PySide6.QtWidgets import QMessageBox  # not needed to show the wizard

        triage_page = cast("TriagePage", self.pages[Step.TRIAGE])
        answer = QMessageBox.question(self, tr("ui.triage.solved_title"),
                                      triage_page.resolve_question())
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._autosave.stop()
        self._dirty = False
        self.wait_for_saves()
        try:
            self.env.store.delete(self.report.id)
        except Exception as exc:  # noqa: BLE001 - the draft simply stays; say so
            QMessageBox.warning(self, tr("ui.triage.solved_title"),
                                exc.message() if hasattr(exc, "message") else str(type(exc).__name__))
            return
        self._count_closed_case()
        self.discarded.emit(self.report.id)
        self._discarding = True
        self.close()

    def _count_closed_case(self) -> None:
        """The draft is gone; what stays is that the case was closed here (core.triage_log)."""
        folder = self.env.closed_log
        answers = [e.get("answer") for e in self.report.triage.path
                   if isinstance(e, dict) and e.get("step") == "answer"]
        if folder is None or not answers:
            return
        from capture_app.core.triage import closed_log as triage_log

        try:
            triage_log.record(folder, self.report.triage.case_id, self.report.triage.category,
                              str(answers[-1]))
        except OSError as exc:  # the case is closed all the same; only the count misses it
            log.warning("closed case not counted: %s", type(exc).__name__)

    def untouched(self) -> bool:
        """Nothing typed or chosen beyond what the app filled in itself: no search, no case, and
        no evidence but the screenshot taken at the start, as it was taken."""
        triage = self.report.triage
        triage_page = self.pages.get(Step.TRIAGE)
        searched = triage_page is not None and cast("TriagePage", triage_page).search.text()
        if triage.case_id or triage.path or searched or self.report.steps:
            return False
        if self.report.summary.strip() or self.report.description != type(self.report.description)():
            return False
        banner = getattr(self, "capture_banner", None)
        start_item = getattr(banner, "item", None)
        return all(start_item is not None and item.id == start_item.id and not item.excluded
                   for item in self.report.evidence)

    def _forget_untouched(self) -> None:
        """Closed without a thing done: the draft and its screenshot are not worth keeping."""
        self._autosave.stop()
        self._dirty = False
        self.wait_for_saves()
        try:
            self.env.store.delete(self.report.id)
        except Exception as exc:  # noqa: BLE001 - then the draft simply stays in the list
            log.warning("untouched draft not deleted: %s", type(exc).__name__)
            return
        self._discarding = True
        self.discarded.emit(self.report.id)

    def stop_saving(self) -> None:
        """The report is no longer this window's to save (queued for sending, or discarded)."""
        self._discarding = True

    def closeEvent(self, event) -> None:
        session = getattr(self, "step_session", None)
        if session is not None:
            session.stop()  # recording ends with the wizard; its last steps go into this save
        self.closing = True
        if not self._discarding and self.untouched():
            self._forget_untouched()
        if not self._discarding:
            self.save_now()
        self.wait_for_saves()
        if self._dirty and self.last_save_error and not self._discarding:
            from PySide6.QtWidgets import QMessageBox

            answer = QMessageBox.warning(
                self, tr("ui.wizard.title"), tr("ui.wizard.close_unsaved", reason=self.last_save_error),
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Discard:
                event.ignore()
                self.closing = False
                self.close_refused.emit(self.report.id)
                return
        self.closed.emit(self.report.id)
        super().closeEvent(event)

    @property
    def outcome(self):
        return outcome(self.report)
