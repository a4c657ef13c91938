"""*Schritte aufzeichnen*: the small always-on-top control, and the steps into the wizard's report.

One :class:`StepSession` belongs to a wizard window. The recorder (``core.evidence.steps``) runs
its own worker thread; each step it delivers is put into the window's report on the UI thread
and saved at once, so a crash or a kill keeps the steps so far. Recording ends with *Stopp*, at
a limit, or when the wizard closes (:meth:`StepSession.stop` before the window's last save).
"""
from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from capture_app.core.platform.i18n import tr

log = logging.getLogger(__name__)


def steps_enabled(config) -> bool:
    return bool(config.get("steps.enabled"))


class StepControl(QWidget):
    """Start/Pause, Kommentar, Stopp, the number of steps and the time — always on top."""

    def __init__(self, session: StepSession) -> None:
        super().__init__(None, Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint)
        self.session: Any = session
        self.setWindowTitle(tr("ui.steps.control_title"))
        self.setAccessibleName(tr("ui.steps.control_title"))
        layout = QVBoxLayout(self)
        self.indicator = QLabel()
        self.indicator.setAccessibleName(tr("ui.steps.indicator_name"))
        layout.addWidget(self.indicator)
        self.problem = QLabel()  # steps that could not be recorded, and why
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName(tr("ui.steps.problem_name"))
        self.problem.hide()
        layout.addWidget(self.problem)
        row = QHBoxLayout()
        self.pause_button = self._button("ui.steps.pause", session.toggle_pause)
        self.comment_button = self._button("ui.steps.comment", session.ask_comment)
        self.stop_button = self._button("ui.steps.stop", session.stop)
        for button in (self.pause_button, self.comment_button, self.stop_button):
            row.addWidget(button)
        layout.addLayout(row)
        self.clock = QTimer(self)
        self.clock.setInterval(1000)
        self.clock.timeout.connect(self.refresh)

    def _button(self, key: str, slot) -> QPushButton:
        button = QPushButton(tr(key))
        button.setAccessibleName(tr(key).replace("&", ""))
        button.clicked.connect(slot)
        return button

    def refresh(self) -> None:
        recorder = self.session.recorder
        if recorder is None:
            return
        recorder.check_time()
        seconds = int(recorder.elapsed())
        time_text = f"{seconds // 60:02d}:{seconds % 60:02d}"
        paused = recorder.state == "paused"
        key = "ui.steps.indicator_paused" if paused else "ui.steps.indicator_recording"
        self.indicator.setText(tr(key, count=recorder.count, time=time_text,
                                  limit=recorder.limits.max_steps))
        self.indicator.setStyleSheet("color: #666;" if paused else "color: #c00; font-weight: bold;")
        self.pause_button.setText(tr("ui.steps.resume" if paused else "ui.steps.pause"))
        failures, reason = self.session.failures, self.session.last_failure
        if failures:
            self.problem.setText(tr("ui.steps.step_failed", count=failures, reason=reason))
        self.problem.setVisible(bool(failures))

    def closeEvent(self, event) -> None:
        self.session.stop()
        super().closeEvent(event)


class StepSession(QObject):
    """The recording of one wizard window; ``ready`` carries (step, picture item) to the UI thread."""

    ready = Signal(object, object)
    ended = Signal(str)
    failed = Signal(str)  # why a click or key could not become a step
    changed = Signal()  # a step arrived or recording ended: the evidence page shows it

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.recorder: Any = None  # core.evidence.steps.StepRecorder while recording
        self.hooks: Any = None
        self.control: StepControl | None = None
        self.last_message = ""
        self.failures = 0  # in the current recording
        self.last_failure = ""
        self.ready.connect(self._arrived)
        self.ended.connect(self._ended)
        self.failed.connect(self._failed)

    @classmethod
    def of(cls, window) -> StepSession:
        existing = getattr(window, "step_session", None)
        if existing is None:
            existing = window.step_session = cls(window)
        return existing

    @property
    def recording(self) -> bool:
        return self.recorder is not None and self.recorder.state in ("recording", "paused")

    def start(self, parent: QWidget | None = None) -> bool:
        """Start recording (or show the control of the running one); False with a message."""
        from capture_app.core.evidence.step_hooks import hooks_for, recording_support
        from capture_app.core.evidence.step_windows import platform_for
        from capture_app.core.evidence.steps import StepLimits, StepRecorder

        config = self.window.env.config
        if not steps_enabled(config):
            return self._refuse(parent, tr("ui.steps.disabled"))
        if self.recording:
            self._show_control()
            return True
        reason = recording_support()
        if reason:
            return self._refuse(parent, tr(reason))
        report = self.window.report
        first = max((s.number for s in report.steps), default=0) + 1
        recorder = StepRecorder(report.id, platform_for(), self.window.env.store.store_attachment,
                                self.ready.emit, limits=StepLimits.from_config(config),
                                first_number=first, on_stopped=self.ended.emit,
                                on_error=lambda exc: self.failed.emit(_reason(exc)))
        hooks = hooks_for(recorder.click, recorder.key)
        try:
            hooks.start()
        except Exception as exc:  # noqa: BLE001 - no hooks: say so, record nothing
            return self._refuse(parent, tr("ui.steps.hooks_failed", reason=str(exc)[:200]
                                           or type(exc).__name__))
        self.recorder, self.hooks = recorder, hooks
        self.failures, self.last_failure = 0, ""
        recorder.start()
        self._show_control()
        self.changed.emit()
        return True

    def _refuse(self, parent, message: str) -> bool:
        self.last_message = message
        QMessageBox.information(parent or self.window, tr("ui.steps.title"), message)
        return False

    def _show_control(self) -> None:
        if self.control is None:
            self.control = StepControl(self)
        self.control.refresh()
        self.control.clock.start()
        self.control.show()
        self.control.raise_()

    def toggle_pause(self) -> None:
        recorder = self.recorder
        if recorder is None:
            return
        if recorder.state == "paused":
            recorder.resume()
        else:
            recorder.pause()
        if self.control is not None:
            self.control.refresh()

    def ask_comment(self) -> None:
        if self.recorder is None:
            return
        text, ok = QInputDialog.getMultiLineText(self.control, tr("ui.steps.comment_title"),
                                                 tr("ui.steps.comment_prompt"))
        if ok and text.strip():
            self.recorder.comment(text)

    def stop(self) -> None:
        """End recording and put every step already made into the report."""
        recorder, hooks = self.recorder, self.hooks
        self.hooks = None
        if hooks is not None:
            hooks.stop()
        if recorder is not None:
            recorder.stop()
            from PySide6.QtWidgets import QApplication

            QApplication.processEvents()  # the steps the worker handed over on its way out
        self._hide_control()

    def _hide_control(self) -> None:
        control, self.control = self.control, None
        if control is not None and isValid(control):
            control.clock.stop()
            control.session = _Stopped()
            control.close()
            control.deleteLater()

    def _arrived(self, step, item) -> None:
        from capture_app.core.evidence.steps import add_step

        window = self.window
        if not isValid(window):
            return
        add_step(window.report, step, item)
        window.mark_dirty()
        if item is not None:
            window.save_now()  # a picture's step is kept at once, not after the autosave delay
        if self.control is not None:
            self.control.refresh()
        self.changed.emit()

    def _failed(self, reason: str) -> None:
        """Said on the control, which stays on top: the agent can add the step as a comment."""
        self.failures += 1
        self.last_failure = reason
        log.warning("a step could not be recorded: %s", reason)
        if self.control is not None:
            self.control.refresh()

    def _ended(self, reason: str) -> None:
        if self.hooks is not None:
            self.hooks.stop()
            self.hooks = None
        self._hide_control()
        self.changed.emit()
        if reason in ("max_steps", "max_time") and self.recorder is not None and isValid(self.window):
            limits = self.recorder.limits
            QMessageBox.information(self.window, tr("ui.steps.title"), tr(
                f"ui.steps.ended_{reason}", steps=limits.max_steps,
                minutes=int(limits.max_seconds // 60)))


class _Stopped:
    """What a closing control talks to once its session has ended."""

    def stop(self) -> None:
        return None


def _reason(exc: BaseException) -> str:
    message = exc.message() if hasattr(exc, "message") else ""
    return str(message or type(exc).__name__)[:200]
