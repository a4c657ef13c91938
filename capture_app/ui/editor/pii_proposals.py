"""Proposed redactions: the places on the screenshot where personal data was read.

When the editor opens, the picture's text is read in the background
(``ui.evidence.screenshot_check``); each e-mail address, phone number or IBAN found becomes a
proposal, drawn as an orange frame on the picture and listed beside it ("3 Stellen gefunden").
The agent redacts a proposal or dismisses it, or redacts every open one at once (*Alle
schwärzen*); redacting adds the editor's own solid fill (``tools.redact.Redaction``), so undo,
saving and the burnt-in pixels work as for a fill drawn by hand. A proposal counts as redacted
while a fill in the picture covers it — also one drawn by hand, and no longer after it was
undone — or while the crop leaves it out.

What the report keeps of this (:meth:`TextCheckPanel.outcome`) is whether the check ran and how
many places were found and redacted, never the text that was read.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QRect, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from capture_app.core.platform.i18n import tr
from capture_app.core.privacy import pii, screen_text
from capture_app.core.privacy.screenshot_pii import ScreenshotCheck, state_of
from capture_app.ui.editor.document import EditDocument
from capture_app.ui.editor.tools.redact import Redaction

# Pixels added around a word box: the anti-aliased edge of the letters lies just outside it.
MARGIN = 2
OPEN, ACCEPTED, DISMISSED = "open", "accepted", "dismissed"


@dataclass
class Proposal:
    kind: str
    rect: QRect
    dismissed: bool = False


@dataclass(frozen=True)
class CheckOutcome:
    """What the report keeps: whether the picture was checked, places found and redacted."""

    state: str  # screenshot_pii.CHECKED, INCOMPLETE or SKIPPED
    places: int
    redacted: int
    open: int


class TextCheckPanel(QWidget):
    """The status line, the list of proposals and their buttons, under the editor's tool bar."""

    changed = Signal()  # proposals came, were redacted or dismissed (the canvas repaints)
    focused = Signal(object)  # the QRect of the proposal chosen in the list (None: none)
    checked = Signal()  # the picture has been read (or the check was skipped)

    def __init__(self, document: EditDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.proposals: list[Proposal] = []
        self.result: ScreenshotCheck | None = None
        self.failure = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.status = QLabel(tr("screen_check.running"))
        self.status.setWordWrap(True)
        self.status.setAccessibleName(tr("screen_check.title"))
        layout.addWidget(self.status)
        row = QHBoxLayout()
        self.list = QListWidget()
        self.list.setAccessibleName(tr("screen_check.list_name"))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setMaximumHeight(90)
        self.list.itemSelectionChanged.connect(self._focus)
        row.addWidget(self.list, 1)
        buttons = QVBoxLayout()
        self.accept_button = self._button("accept", self.accept_selected)
        self.dismiss_button = self._button("dismiss", self.dismiss_selected)
        self.accept_all_button = self._button("accept_all", self.accept_all)
        for button in (self.accept_button, self.dismiss_button, self.accept_all_button):
            buttons.addWidget(button)
        row.addLayout(buttons)
        layout.addLayout(row)
        document.changed.connect(self._refresh)
        self._refresh()

    def _button(self, key: str, action) -> QPushButton:
        button = QPushButton(tr(f"screen_check.{key}"))
        button.setAccessibleName(tr(f"screen_check.{key}").replace("&", ""))
        button.setToolTip(tr(f"screen_check.{key}_tip"))
        button.clicked.connect(action)
        return button

    # -- reading

    def start(self, image: QImage, own: Sequence[pii.PiiMatch] = (), *, run=None) -> None:
        """Read ``image`` in the background (``run``: the task runner, replaceable in tests)."""
        from capture_app.ui.evidence.screenshot_check import check_image, text_pool
        from capture_app.ui.platform.tasks import run_in_background

        # A shallow copy (the pixels are shared, never written): a deep one of an 8K picture
        # would take the UI thread 40 ms.
        picture, mine = QImage(image), list(own)

        def done(result: ScreenshotCheck) -> None:
            if shiboken6.isValid(self):
                self.show_result(result)

        def failed(exc: BaseException) -> None:
            if shiboken6.isValid(self):
                self.failure = type(exc).__name__
                self.show_result(ScreenshotCheck((), screen_text.FAILED))

        (run or run_in_background)(lambda: check_image(picture, mine), on_success=done,
                                   on_error=failed, pool=text_pool())

    def show_result(self, result: ScreenshotCheck) -> None:
        bounds = self.document.bounds
        self.result = result
        self.proposals = []
        for place in result.places:
            box = place.box.grown(MARGIN, bounds.width(), bounds.height())
            self.proposals.append(Proposal(place.kind, QRect(box.x, box.y, box.width, box.height)))
        self._refresh()
        self.checked.emit()

    # -- the agent's decisions

    def is_redacted(self, proposal: Proposal) -> bool:
        """Covered by a solid fill, or cut away by the crop: not in the saved picture."""
        if not self.document.crop.intersects(proposal.rect):
            return True
        return any(isinstance(a, Redaction) and a.rect.contains(proposal.rect)
                   for a in self.document.redactions)

    def state(self, proposal: Proposal) -> str:
        if self.is_redacted(proposal):
            return ACCEPTED
        return DISMISSED if proposal.dismissed else OPEN

    def open_rects(self) -> list[QRect]:
        """The frames the canvas draws: proposals neither redacted nor dismissed."""
        return [p.rect for p in self.proposals if self.state(p) == OPEN]

    def _selected(self) -> list[Proposal]:
        rows = sorted({self.list.row(item) for item in self.list.selectedItems()})
        return [self.proposals[row] for row in rows if row < len(self.proposals)]

    def accept(self, proposals: Sequence[Proposal]) -> None:
        todo = [p for p in proposals if not self.is_redacted(p)]
        if not todo:
            return
        stack = self.document.undo_stack
        if len(todo) > 1:
            stack.beginMacro(tr("screen_check.accept_all").replace("&", ""))
        for proposal in todo:
            proposal.dismissed = False
            self.document.add(Redaction(proposal.rect), tr("editor.tool_redact"))
        if len(todo) > 1:
            stack.endMacro()

    def accept_selected(self) -> None:
        self.accept(self._selected())

    def accept_all(self) -> None:
        self.accept([p for p in self.proposals if self.state(p) == OPEN])

    def dismiss_selected(self) -> None:
        for proposal in self._selected():
            if not self.is_redacted(proposal):
                proposal.dismissed = True
        self._refresh()

    # -- showing

    def _focus(self) -> None:
        chosen = self._selected()
        self.focused.emit(QRect(chosen[0].rect) if len(chosen) == 1 else None)

    def _refresh(self) -> None:
        selected = {self.list.row(item) for item in self.list.selectedItems()}
        self.list.clear()
        for number, proposal in enumerate(self.proposals, 1):
            text = tr("screen_check.row", number=number, kind=tr(f"screen_check.kind_{proposal.kind}"),
                      state=tr(f"screen_check.state_{self.state(proposal)}"))
            item = QListWidgetItem(text)
            self.list.addItem(item)
            item.setSelected(number - 1 in selected)
        self.list.setVisible(bool(self.proposals))
        any_open = bool(self.open_rects())
        for button in (self.accept_button, self.dismiss_button):
            button.setVisible(bool(self.proposals))
        self.accept_all_button.setVisible(bool(self.proposals))
        self.accept_all_button.setEnabled(any_open)
        self.status.setText(self._status_text())
        self.changed.emit()

    def _status_text(self) -> str:
        result = self.result
        if result is None:
            return tr("screen_check.running")
        if result.reason == screen_text.NOT_INSTALLED:
            return tr("screen_check.skipped_not_installed")
        if result.reason == screen_text.FAILED:
            return tr("screen_check.skipped_failed", reason=self.failure or "Tesseract")
        found = len(self.proposals)
        text = (tr("screen_check.found_one") if found == 1 else
                tr("screen_check.found_many", n=found) if found else tr("screen_check.none"))
        if result.reason == screen_text.TIME_LIMIT:
            text += " " + tr("screen_check.incomplete", seconds=int(screen_text.TIME_LIMIT_SECONDS))
        return text

    def outcome(self) -> CheckOutcome | None:
        """For the report: None while the picture is still being read."""
        result = self.result
        if result is None:
            return None
        states = [self.state(p) for p in self.proposals]
        return CheckOutcome(state_of(result), len(states), states.count(ACCEPTED), states.count(OPEN))
