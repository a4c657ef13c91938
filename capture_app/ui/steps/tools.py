"""The "Schritte" line of the evidence step: record, show the list, copy into the description.

Where clicks cannot be recorded (Wayland), *Schritt hinzufügen …* takes one step by hand: the
agent's note, then a screenshot of the screen, which becomes that step's picture.
"""
from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QLabel, QPushButton

from capture_app.core.platform.i18n import tr
from capture_app.ui.steps.recording import StepSession, steps_enabled


class StepTools(QObject):
    def __init__(self, page) -> None:
        super().__init__(page)
        self.page = page
        self._manual_notes: list[str] = []
        self._watched: StepSession | None = None
        from capture_app.core.evidence.step_hooks import recording_support

        self.manual = recording_support() == "steps.wayland"
        self.record_button = self._button("ui.steps.add_manual" if self.manual else "ui.steps.record",
                                          self.record)
        self.record_button.setToolTip(tr("steps.wayland") if self.manual else tr("ui.steps.record_tip"))
        self.show_button = self._button("ui.steps.show", self.show_list)
        self.fill_button = self._button("ui.steps.to_steps_field", self.fill_field)
        self.summary = QLabel()
        self.summary.setAccessibleName(tr("ui.steps.title"))
        # Wraps rather than widening the page (1280×720 at 150 % must fit without scrolling).
        self.summary.setWordWrap(True)
        self.summary.setMinimumWidth(80)

    def _button(self, key: str, slot) -> QPushButton:
        button = QPushButton(tr(key))
        button.setAccessibleName(tr(key).replace("&", ""))
        button.clicked.connect(slot)
        return button

    def row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        for widget in (self.record_button, self.show_button, self.fill_button):
            row.addWidget(widget)
        row.addWidget(self.summary, 1)
        return row

    @property
    def window(self):
        return self.page.window()

    def session(self) -> StepSession:
        session = StepSession.of(self.window)
        if session is not self._watched:
            session.changed.connect(self._session_changed)
            self._watched = session
        return session

    def _session_changed(self) -> None:
        if self.page.report is not None:
            self.refresh()

    def refresh(self) -> None:
        report = self.page.report
        count = len(report.steps) if report is not None else 0
        session = getattr(self.window, "step_session", None)
        recording = session is not None and session.recording
        key = "ui.steps.summary_recording" if recording else (
            "ui.steps.summary" if count else "ui.steps.summary_none")
        self.summary.setText(tr(key, count=count))
        enabled = steps_enabled(self.page.env.config)
        self.record_button.setEnabled(enabled)
        self.show_button.setEnabled(count > 0)
        self.fill_button.setEnabled(count > 0)

    # -- the commands

    def record(self) -> None:
        if self.manual:
            self.add_manual_step()
            return
        self.session().start(self.page)
        self.refresh()

    def show_list(self) -> None:
        from capture_app.ui.steps.step_list import StepListDialog

        dialog = StepListDialog(self.window, self.page)
        dialog.finished.connect(lambda _result: self.page.refresh())
        dialog.open()
        self.dialog = dialog

    def fill_field(self) -> None:
        from capture_app.ui.steps.step_list import fill_steps_field

        fill_steps_field(self.window, self.page)

    def add_manual_step(self) -> None:
        """A note, then a screenshot: one step by hand (where clicks cannot be recorded)."""
        note, ok = QInputDialog.getMultiLineText(self.page, tr("ui.steps.title"),
                                                 tr("ui.steps.add_manual_prompt"))
        if not ok:
            return
        from capture_app.ui.capture.evidence_files import EvidenceFiles

        files = EvidenceFiles.of(self.window)
        if not self._manual_notes:
            files.added.connect(self._captured)
        self._manual_notes.append(note.strip())
        if not self.page.screenshots.capture("desktop"):
            self._manual_notes.pop()

    def _captured(self, item) -> None:
        if not self._manual_notes or item.kind != "screenshot":
            return
        from capture_app.core.evidence.steps import add_step, picture_filename
        from capture_app.core.report.model import Step

        note = self._manual_notes.pop(0)
        report = self.window.report
        number = max((s.number for s in report.steps), default=0) + 1
        item.kind = "step"
        item.filename = picture_filename(number)
        item.title = tr("steps.picture_title", number=number)
        add_step(report, Step(number=number, kind="comment", at=item.added_at, comment=note,
                              picture=item.id), None)
        self.window.mark_dirty()
        self.page.refresh()
