"""A new report starts with a screenshot of the screen as it was before our window appeared.

From the command line (``capture-app report``) the grab starts before Qt is even loaded (on
Linux in a process of its own, :mod:`capture_app.core.evidence.grab_process`; elsewhere in a
thread, :class:`~capture_app.core.evidence.screenshot.EarlyCapture`); from the tray or the main window our
windows are hidden, the screen is grabbed, and only then does the wizard open. The wizard shows
the picture at once in a slim strip (from the raw pixels, before any encoding); once the window is
shown, a worker encodes it and stores it as the report's first screenshot.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
)
from shiboken6 import isValid

from capture_app.core.evidence.screenshot import Capture, EarlyCapture, ScreenshotError
from capture_app.core.platform.i18n import tr
from capture_app.ui.capture.evidence_files import EvidenceFiles
from capture_app.ui.capture.grabber import ScreenCapturer, capture_enabled, default_env
from capture_app.ui.evidence.images import scaled, scaled_capture
from capture_app.ui.platform import theme
from capture_app.ui.platform.icons import icon
from capture_app.ui.platform.roles import ALIGN_CENTER, ALIGN_LEFT_VCENTER

if TYPE_CHECKING:  # the tray app imports this module at start: the child's code is not needed
    from capture_app.core.evidence.grab_process import ChildCapture

PREVIEW_WIDTH = 240
THUMB = QSize(theme.space(16), theme.space(9))  # 64 × 36: a 16:9 screen in the folded strip
EARLY_TIMEOUT_S = 10
_capturers: set[ScreenCapturer] = set()  # alive until their capture has ended


def open_report(controller, report, early: ChildCapture | EarlyCapture | None = None):
    """Open the wizard for ``report`` with the screen as it was; returns the window or None.

    None means the wizard opens as soon as the screen has been captured (our visible windows
    are hidden for that moment).
    """
    from capture_app.ui.platform.tasks import run_in_background

    enabled = capture_enabled(controller.config)
    if early is not None:
        capture, failure = None, ""
        if enabled:
            # Waiting here, before the wizard exists, is what guarantees the grab saw no window
            # of ours; it was started before Qt was loaded and is done long before this point.
            try:
                capture = early.result(EARLY_TIMEOUT_S)
            except ScreenshotError as exc:
                failure = exc.message()
        else:
            early.discard()  # taken before the settings were read: nobody wants it
        if capture is not None:
            return _open_with(controller, report, capture)
        if failure:
            return _open_failed(controller, report, failure)
        return controller.open_wizard(report)
    env = default_env()
    if not enabled or not env.can_capture():
        return controller.open_wizard(report)
    capturer = ScreenCapturer(env, run_in_background)
    _capturers.add(capturer)

    capturer.captured.connect(lambda capture: _open_with(controller, report, capture))
    capturer.failed.connect(lambda message: _open_failed(controller, report, message))
    capturer.finished.connect(lambda: _capturers.discard(capturer))
    if capturer.start("desktop", hide=True) and capturer.busy:
        # The grab runs in a worker (or waits for our hidden windows to vanish): build the
        # wizard meanwhile, so only showing it is left once the screen is taken. It is not
        # shown before then, so the grab cannot see it.
        controller.open_wizard(report, show=False)
    return None


def _open_with(controller, report, capture: Capture):
    """Show the wizard with ``capture`` in its first frame, then store it as the report's
    screenshot: encoding it in a worker while the window is first painted would hold that up."""
    banner = banner_for(controller.open_wizard(report, show=False))
    banner.show_preview(capture)
    window = controller.open_wizard(report)
    EvidenceFiles.of(window).store_capture(capture, "as_it_was", on_done=banner.stored,
                                           on_error=banner.store_failed, after_first_frame=True)
    return window


def _open_failed(controller, report, message: str):
    """Show the wizard saying why the screen could not be captured."""
    banner_for(controller.open_wizard(report, show=False)).show_failure(message)
    return controller.open_wizard(report)


def banner_for(window) -> CaptureStrip:
    banner = getattr(window, "capture_banner", None)
    if banner is None:
        banner = window.capture_banner = CaptureStrip(window)
        # Above the current step: the first thing the agent sees.
        for index in range(window.layout().count()):
            column = window.layout().itemAt(index).layout()
            if column is not None and column.indexOf(window.stack) >= 0:
                column.insertWidget(0, banner)
                break
    return banner


class CaptureStrip(QFrame):
    """The screenshot taken when the report started, as a slim strip above the step: a small
    picture, its state, edit and remove; unfolded it shows a larger preview. Folded by default,
    so the form keeps the room (a 720p screen)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window_ = window
        self.item = None
        self.preview_shown = False
        self.expanded = False
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(tr("capture.banner_name"))
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        outer = QVBoxLayout(self)
        theme.set_spacing(outer, 1, 1)
        outer.addLayout(self._build_row())
        self.preview = QLabel()  # the larger picture, shown unfolded
        self.preview.setAccessibleName(tr("capture.banner_preview"))
        # Qt's numbers, not its namespace: this strip is on the way to the wizard (roles.py).
        self.preview.setProperty("alignment", ALIGN_LEFT_VCENTER)
        self.preview.hide()
        outer.addWidget(self.preview)

    def _build_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(theme.space(2))
        self.toggle_button = QToolButton()
        self.toggle_button.setAutoRaise(True)
        self.toggle_button.clicked.connect(lambda: self.set_expanded(not self.expanded))
        row.addWidget(self.toggle_button)
        self.thumb = QLabel()
        self.thumb.setAccessibleName(tr("capture.banner_preview"))
        self.thumb.setFixedSize(THUMB)
        self.thumb.setProperty("alignment", ALIGN_CENTER)
        row.addWidget(self.thumb)
        self.text = QLabel(tr("capture.banner_capturing"))
        self.text.setWordWrap(True)
        self.text.setAccessibleName(tr("capture.banner_name"))
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row.addWidget(self.text, 1)
        self.edit_button = QPushButton(icon("pencil"), tr("capture.banner_edit"))
        self.edit_button.setAccessibleName(tr("capture.banner_edit").replace("&", ""))
        self.edit_button.clicked.connect(self.edit)
        self.remove_button = QPushButton(icon("trash-2"), tr("capture.banner_remove"))
        self.remove_button.setAccessibleName(tr("capture.banner_remove").replace("&", ""))
        self.remove_button.clicked.connect(self.remove)
        for button in (self.edit_button, self.remove_button):
            button.setEnabled(False)
            row.addWidget(button)
        self._show_toggle()
        return row

    def set_expanded(self, expanded: bool) -> None:
        """Unfold to the larger preview, or fold back to the strip."""
        self.expanded = expanded and self.preview_shown
        self.preview.setVisible(self.expanded)
        self._show_toggle()

    def _show_toggle(self) -> None:
        text = tr("capture.strip_collapse" if self.expanded else "capture.strip_expand")
        self.toggle_button.setIcon(icon("chevron-up" if self.expanded else "chevron-down"))
        self.toggle_button.setToolTip(text)
        self.toggle_button.setAccessibleName(text)
        self.toggle_button.setEnabled(self.preview_shown)

    def show_preview(self, capture: Capture) -> None:
        image = scaled_capture(capture, _preview_size(capture))
        self.preview.setPixmap(QPixmap.fromImage(image))
        self.thumb.setPixmap(QPixmap.fromImage(scaled(image, THUMB)))
        size = tr("capture.banner_size", width=capture.width, height=capture.height)
        self.preview.setToolTip(size)
        self.thumb.setToolTip(size)
        self.text.setText(tr("capture.strip_storing"))
        self.text.setToolTip(tr("capture.banner_storing"))
        self.text.setAccessibleDescription(tr("capture.banner_storing"))
        self.preview_shown = True
        self._show_toggle()
        self.show()

    def stored(self, item) -> None:
        self.item = item
        if not isValid(self):  # the wizard was closed before the screenshot was stored
            return
        self.text.setText(tr("capture.strip_stored"))
        self.text.setToolTip(tr("capture.banner_stored"))
        self.text.setAccessibleDescription(tr("capture.banner_stored"))
        self.edit_button.setEnabled(True)
        self.remove_button.setEnabled(True)

    def store_failed(self, exc: BaseException) -> None:
        self.show_failure(exc.message() if hasattr(exc, "message") else tr(
            "screenshot.failed", detail=type(exc).__name__))

    def show_failure(self, message: str) -> None:
        if not isValid(self):
            return
        self.preview.clear()
        self.thumb.clear()
        self.thumb.setText("—")
        self.preview_shown = False
        self.set_expanded(False)
        self.text.setText(tr("capture.banner_failed", reason=message))
        self.text.setToolTip(self.text.text())
        self.edit_button.setEnabled(False)
        self.remove_button.setEnabled(False)
        self.show()

    def current_item(self):
        """The stored screenshot, following it through edits (they replace the item)."""
        if self.item is not None:
            self.item = EvidenceFiles.of(self.window_).current(self.item.id)
        return self.item

    def edit(self) -> None:
        from capture_app.ui.capture.editing import edit_item

        item = self.current_item()
        if item is not None:
            edit_item(self.window_, item, parent=self.window_)

    def remove(self) -> None:
        item = self.current_item()
        if item is None:
            self.hide()
            return
        EvidenceFiles.of(self.window_).remove([item.id])
        self.item = None
        self.hide()


def _preview_size(capture: Capture) -> QSize:
    height = max(1, round(PREVIEW_WIDTH * capture.height / max(1, capture.width)))
    return QSize(PREVIEW_WIDTH, min(height, PREVIEW_WIDTH))
