""""Senden" and "In Postausgang" on the Review page.

Both first save the report exactly as reviewed, build its bundle and measure it with the
configured transport. Over the limit, the agent gets the proposals of ``core.size_budget``
(downscale screenshots, trim logs, leave files out — the result shows up in Review) or exports
instead; nothing is sent that the server would refuse for size. Otherwise the report goes into
the outbox (the wizard closes: a queued report is no longer edited) and

* "Senden" tries at once, with a progress bar, and says what happened (sent with the ticket
  number, or queued with the next try and the reason, or needs attention with the fix);
* "In Postausgang" leaves it to the background sender (offline, outside support hours).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from capture_app.core.platform.i18n import tr

if TYPE_CHECKING:
    from capture_app.core.sending.size_budget import Budget, Proposal

log = logging.getLogger(__name__)


@dataclass
class Prepared:
    """What the background preparation found: queued, or over the size limit."""

    queued: bool
    budget: Budget | None = None
    proposals: list[Proposal] | None = None


def ask_for_secrets(service, parent: QWidget | None) -> bool:
    """Ask for passwords/tokens the settings need but nobody stored (no keyring: memory only)."""
    for need in service.missing_secrets():
        label = tr("sending.ui.ask_secret", what=tr(need.label_key))
        text, ok = QInputDialog.getText(parent, tr("sending.ui.ask_secret_title"), label,
                                        QLineEdit.EchoMode.Password)
        if not ok or not text:
            return False
        service.secrets.remember(need.account, text)
    return True


class SendButtons(QWidget):
    """The two buttons, placed next to "Exportieren …" on the Review page."""

    def __init__(self, page, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page = page
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.queue_button = QPushButton(tr("sending.ui.queue"))
        self.queue_button.setAccessibleName(tr("sending.ui.queue").replace("&", ""))
        self.queue_button.setToolTip(tr("sending.ui.queue_hint"))
        self.queue_button.setAccessibleDescription(tr("sending.ui.queue_hint"))
        self.send_button = QPushButton(tr("sending.ui.send"))
        self.send_button.setAccessibleName(tr("sending.ui.send").replace("&", ""))
        self.send_button.setToolTip(tr("sending.ui.send_hint"))
        self.send_button.setAccessibleDescription(tr("sending.ui.send_hint"))
        self.queue_button.clicked.connect(lambda: self.start(send_now=False))
        self.send_button.clicked.connect(lambda: self.start(send_now=True))
        layout.addWidget(self.queue_button)
        layout.addWidget(self.send_button)
        self.last_message: tuple[str, str] | None = None
        # Without an outbox (a page built on its own) only "Exportieren …" is offered.
        self.setVisible(callable(getattr(page.env, "sending", None)))

    def service(self):
        getter = getattr(self.page.env, "sending", None)
        return getter() if callable(getter) else None

    def _set_busy(self, busy: bool) -> None:
        self.send_button.setEnabled(not busy)
        self.queue_button.setEnabled(not busy)

    def _tell(self, kind: str, text: str, parent: QWidget | None = None) -> None:
        self.last_message = (kind, text)
        box = QMessageBox.warning if kind == "warning" else QMessageBox.information
        box(parent or self.page, tr("sending.ui.title"), text)

    # -- the flow

    def start(self, send_now: bool) -> None:
        from capture_app.core.wizard.steps import ready_to_send

        page = self.page
        problems = ready_to_send(page.report, page.env.context)
        if problems:
            self._tell("warning", tr("ui.review.not_ready") + "\n\n" +
                       "\n".join(f"• {p.message()}" for p in problems))
            return
        from capture_app.ui.privacy.pii_review import confirm_screenshots

        if not confirm_screenshots(page, page.report):  # personal data left on screenshots
            return
        service = self.service()
        if service is None:
            return
        if not ask_for_secrets(service, page):
            return
        window = page.window()
        if hasattr(window, "flush") and not window.flush():
            self._tell("warning", tr("sending.ui.not_saved"))
            return
        self._set_busy(True)
        self.prepare(service, send_now)

    def prepare(self, service, send_now: bool) -> None:
        from capture_app import __version__
        from capture_app.core.report.model import Report
        from capture_app.core.sending import size_budget
        from capture_app.core.sending.bundle import build_bundle

        page = self.page
        snapshot = Report.from_dict(page.report.to_dict())
        store, outbox = page.env.store, service.outbox

        def work():
            revision = store.save(snapshot)  # exactly what was reviewed, as the newest version
            path = outbox.bundle_path(snapshot.id)
            info = build_bundle(snapshot, lambda item: store.attachment_path(snapshot.id, item.id),
                                path, app_version=__version__, language=snapshot.language or "de")
            budget = size_budget.measure(service.transport(), path, snapshot)
            if budget.over:
                return Prepared(False, budget, size_budget.propose(snapshot, budget))
            outbox.enqueue(snapshot.id, expected_revision=revision, bundle_sha256=info.zip_sha256,
                           bundle_revision=revision)
            return Prepared(True)

        def done(result: Prepared) -> None:
            self._set_busy(False)
            if not result.queued:
                self.offer_to_shrink(result)
                return
            self.queued(service, snapshot.id, send_now)

        def failed(exc: BaseException) -> None:
            self._set_busy(False)
            self._tell("warning", _message(exc))

        page.env.run(work, on_success=done, on_error=failed, parent=page,
                     progress_label=tr("sending.ui.preparing"))

    def queued(self, service, report_id: str, send_now: bool) -> None:
        page = self.page
        window = page.window()
        service.changed.emit()
        if hasattr(window, "stop_saving"):
            window.stop_saving()  # queued: this window must not save the report any more
        # The results are shown without the wizard: it closes now (and is deleted later).
        present_sending(service, report_id, send_now)
        if window is not page:
            window.close()

    def offer_to_shrink(self, prepared: Prepared) -> None:
        from capture_app.core.platform.i18n import current_language
        from capture_app.core.platform.sizes import format_size

        language = current_language()
        budget = prepared.budget
        assert budget is not None and prepared.proposals is not None  # over the limit: both set
        dialog = BudgetDialog(
            tr("sending.ui.too_large", size=format_size(budget.size, language, round_up=True),
               limit=format_size(budget.limit or 0, language),
               transport=tr(f"sending.ui.transport_{budget.transport}")),
            prepared.proposals, self.page)
        self.last_message = ("budget", dialog.text.text())
        result = dialog.exec()
        if result == BudgetDialog.EXPORT:
            self.page.choose_export_folder()
        elif result == QDialog.DialogCode.Accepted and dialog.chosen():
            self.apply(dialog.chosen())

    def apply(self, proposals) -> None:
        """Carry out the chosen proposals on the draft; Review then shows the new sizes."""
        from capture_app.core.platform.i18n import current_language
        from capture_app.core.report.model import Report
        from capture_app.core.sending import size_budget
        from capture_app.ui.sending.sender import scale_image

        page = self.page
        snapshot = Report.from_dict(page.report.to_dict())
        store = page.env.store
        language = current_language()

        def done(changed) -> None:
            page.report.evidence = changed.evidence
            page.report.steps = changed.steps
            window = page.window()
            if hasattr(window, "mark_dirty"):
                window.mark_dirty()
            else:
                page.changed.emit()
            page.refresh()

        page.env.run(lambda: size_budget.apply(snapshot, store, proposals, scale_image, language),
                     on_success=done, on_error=lambda exc: self._tell("warning", _message(exc)),
                     parent=page, progress_label=tr("sending.ui.shrinking"))


class BudgetDialog(QDialog):
    """Over the limit: what would bring the report under it, to tick, or export instead."""

    EXPORT = 2

    def __init__(self, text: str, proposals, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("sending.ui.too_large_title"))
        self.setAccessibleName(tr("sending.ui.too_large_title"))
        layout = QVBoxLayout(self)
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        layout.addWidget(self.text)
        self.boxes: list[tuple[QCheckBox, object]] = []
        for proposal in proposals:
            box = QCheckBox(proposal.describe())
            box.setAccessibleName(proposal.describe())
            box.setChecked(proposal.kind != "exclude")  # leaving a file out is the agent's call
            layout.addWidget(box)
            self.boxes.append((box, proposal))
        buttons = QDialogButtonBox()
        self.apply_button = buttons.addButton(tr("sending.ui.shrink_apply"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button = buttons.addButton(tr("sending.ui.shrink_export"), QDialogButtonBox.ButtonRole.ActionRole)
        cancel = buttons.addButton(tr("sending.ui.cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        for button in (self.apply_button, self.export_button, cancel):
            button.setAccessibleName(button.text().replace("&", ""))
        self.apply_button.setEnabled(bool(proposals))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.export_button.clicked.connect(lambda: self.done(self.EXPORT))
        layout.addWidget(buttons)

    def chosen(self) -> list:
        return [proposal for box, proposal in self.boxes if box.isChecked()]


def present_sending(service, report_id: str, send_now: bool, parent: QWidget | None = None) -> None:
    """After queuing: try now with a progress bar and say what happened, or just confirm."""
    if not send_now:
        service.wake()
        # The mail program cannot be opened in the background: say who sends it, not "soon".
        _tell_agent(service, "information", tr("sending.ui.queued_needs_agent" if service.needs_agent()
                                               else "sending.ui.queued"), parent,
                    title=tr("sending.ui.queued_title"))
        return
    dialog = QProgressDialog(tr("sending.ui.sending"), "", 0, 0, parent)
    dialog.setCancelButton(None)
    dialog.setWindowTitle(tr("sending.ui.title"))
    dialog.setAccessibleName(tr("sending.ui.sending"))
    dialog.setMinimumDuration(300)

    def progressed(rid: str, done: int, total: int) -> None:
        _progressed(dialog, rid, report_id, done, total)

    service.progress.connect(progressed)

    def end() -> None:
        try:
            service.progress.disconnect(progressed)
        except (RuntimeError, TypeError):
            pass
        dialog.close()
        dialog.deleteLater()

    def finished(outcome) -> None:
        from capture_app.ui.sending.sender import outcome_message

        end()
        _tell_agent(service, *outcome_message(outcome), parent)

    def failed(exc: BaseException) -> None:
        end()
        _tell_agent(service, "warning", _message(exc), parent)

    service.send_now(report_id, finished, failed)


def _tell_agent(service, kind: str, text: str, parent: QWidget | None,
                title: str | None = None) -> None:
    service.last_message = (kind, text)
    box = QMessageBox.warning if kind == "warning" else QMessageBox.information
    box(parent, title or tr("sending.ui.title"), text)


def _progressed(dialog: QProgressDialog, rid: str, wanted: str, done: int, total: int) -> None:
    if rid != wanted or total <= 0:
        return
    try:
        scale = max(1, total // 1_000_000)
        dialog.setMaximum(total // scale)
        dialog.setValue(min(done, total) // scale)
    except RuntimeError:
        pass  # the dialog is gone already


def _message(exc: BaseException) -> str:
    return exc.message() if hasattr(exc, "message") else tr(
        "ui.common.unexpected", reason=type(exc).__name__)
