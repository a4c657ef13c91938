"""Screenshots into a wizard's report, and replaced files out of the data folder.

One ``EvidenceFiles`` belongs to each wizard window. New screenshots are encoded and stored in a
worker and then added to the window's report on the UI thread (the report is only ever changed
there). An edited or redacted screenshot replaces its item with a new one; the old file is
deleted after the next successful save, once the *saved* report no longer refers to it — never
before, so a crash cannot leave a draft pointing at a missing file, and never much later, so
no unredacted copy stays behind.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, Signal

from capture_app.core.evidence.screenshot import Capture
from capture_app.core.evidence.screenshot_evidence import (
    default_title,
    edited_item,
    insert_item,
    new_screenshot_item,
    removable,
)
from capture_app.core.report.model import EvidenceItem, Report
from capture_app.core.wizard.steps import Step
from capture_app.ui.capture.grabber import capture_pool
from capture_app.ui.platform.first_frame import after_first_frame

log = logging.getLogger(__name__)

# Screenshots being encoded and stored right now, across all windows (see wait_for_pending).
_outstanding = 0
# Of those, the ones not started yet: each waits for its window's first frame (see _track).
_held: list[Callable[[], None]] = []


def wait_for_pending(timeout_ms: int = 10_000) -> bool:
    """Let screenshots still being stored reach their reports (before the app quits)."""
    import time

    from PySide6.QtWidgets import QApplication

    for start in list(_held):
        start()  # the app quits: no first frame to wait for
    deadline = time.monotonic() + timeout_ms / 1000
    while _outstanding and time.monotonic() < deadline:
        capture_pool().waitForDone(max(1, int((deadline - time.monotonic()) * 1000)))
        QApplication.processEvents()  # deliver the finished jobs' results
    return _outstanding == 0


def _track(run, work, on_success, on_error, *, after_frame_of=None) -> None:
    """Run ``work`` in the capture pool, counted until its result is delivered; with
    ``after_frame_of`` (a window) only once that window's first frame is on screen."""
    global _outstanding
    _outstanding += 1

    def finished(callback, value) -> None:
        global _outstanding
        _outstanding -= 1
        if callback is not None:
            callback(value)

    def start() -> None:
        run(work, on_success=lambda value: finished(on_success, value),
            on_error=lambda exc: finished(on_error, exc), pool=capture_pool())

    if after_frame_of is None:
        start()
        return

    def release() -> None:
        if release in _held:  # once: by the first frame, the fallback or the app quitting
            _held.remove(release)
            start()

    _held.append(release)
    after_first_frame(after_frame_of, release)


def remove_unreferenced(store, report_id: str, item_ids: list[str]) -> list[str]:
    """Delete the files of ``item_ids`` that the saved report no longer lists (worker)."""
    from capture_app.core.report.drafts import DraftNotFoundError

    try:
        stored = store.load(report_id)
    except DraftNotFoundError:
        return []
    gone = removable(stored, item_ids)
    for item_id in gone:
        store.remove_attachment(report_id, item_id)
    return gone


def add_to_saved_report(store, last_seen: Report, item: EvidenceItem) -> None:
    """Add ``item`` to the stored draft; a report never saved is saved as last seen, with it."""
    from capture_app.core.report.drafts import DraftNotFoundError

    try:
        report = store.load(last_seen.id)
    except DraftNotFoundError:
        report = last_seen
    insert_item(report, item)
    store.save(report)


class EvidenceFiles(QObject):
    added = Signal(object)  # EvidenceItem, once it is in the report
    removed = Signal(list)  # ids whose files were deleted

    def __init__(self, window) -> None:
        # No Qt parent: a screenshot still being stored must find this object after the
        # window has been closed and deleted.
        super().__init__()
        self.window = window
        self.report_id = window.report.id
        self.pending: set[str] = set()
        self.replaced: dict[str, str] = {}  # old item id -> the id of its edited version
        self.closed = False
        self.discarded = False  # the draft was deleted (solved in triage, or closed untouched)
        # Stored while the window was closing: whether they belong in the saved draft or go
        # with a deleted one is only known once the close has ended.
        self.late: list[EvidenceItem] = []
        window.saved.connect(self._saved)
        window.closed.connect(self._closed)
        window.discarded.connect(self._discarded)
        window.close_refused.connect(self._close_refused)

    @classmethod
    def of(cls, window) -> EvidenceFiles:
        existing = getattr(window, "evidence_files", None)
        if existing is None:
            existing = window.evidence_files = cls(window)
        return existing

    @property
    def store(self):
        return self.window.env.store

    def _max_pixels(self) -> int:
        return int(self.window.env.config.get("limits.max_image_pixels"))

    # -- adding

    def store_capture(self, capture: Capture, what: str, *, shows_console: bool = False,
                      on_done: Callable[[EvidenceItem], None] | None = None,
                      on_error: Callable[[BaseException], None] | None = None,
                      after_first_frame: bool = False, number: int | None = None) -> None:
        """Encode and store ``capture`` in the background, then add it to the report
        (``after_first_frame``: starting once the window, just shown, is on screen;
        ``number``: the screen's, in the title)."""
        report_id = self.report_id
        store, limit = self.store, self._max_pixels()
        title = (default_title(what, capture.taken_at, number=number) if number
                 else default_title(what, capture.taken_at))

        def work() -> EvidenceItem:
            return new_screenshot_item(report_id, capture.to_png(), store.store_attachment,
                                       title=title, shows_console=shows_console,
                                       max_pixels=limit)

        def done(item: EvidenceItem) -> None:
            self.add(item)
            if on_done is not None:
                on_done(item)

        _track(self.window.env.run, work, done, on_error,
               after_frame_of=self.window if after_first_frame else None)

    def add(self, item: EvidenceItem) -> None:
        if self.discarded:
            # Stored after its draft was deleted: the file goes too, no draft comes back for it.
            store, report_id = self.store, self.report_id
            _track(self.window.env.run, lambda: store.remove_attachment(report_id, item.id),
                   None, self._removal_failed)
            return
        if self.closed:
            # The agent closed the wizard while the screenshot was being stored: add it to the
            # saved draft instead, so it is there when the draft is opened again.
            store, snapshot = self.store, Report.from_dict(self.window.report.to_dict())
            _track(self.window.env.run, lambda: add_to_saved_report(store, snapshot, item),
                   None, self._removal_failed)
            return
        if getattr(self.window, "closing", False):
            # Delivered while the window waits for its last save: that save does not have it.
            self.late.append(item)
            return
        insert_item(self.window.report, item)
        self.changed()
        self.added.emit(item)
        from capture_app.ui.evidence.screenshot_check import check_item

        check_item(self.window.env, self.window.report, item, self._checked)

    def _checked(self) -> None:
        """A screenshot's text was checked: save the counts (not after the window closed - the
        draft is checked again when it is reviewed)."""
        if not self.closed and shiboken6.isValid(self.window):
            self.changed()

    # -- replacing and removing

    def store_edit(self, old: EvidenceItem, png_bytes: bytes, *, shows_console: bool,
                   on_done: Callable[[EvidenceItem], None] | None = None,
                   on_error: Callable[[BaseException], None] | None = None) -> None:
        """Store an edited version of ``old`` as a new item in its place; the old file goes later."""
        report_id = self.report_id
        store = self.store

        def work() -> EvidenceItem:
            return edited_item(old, report_id, png_bytes, store.store_attachment,
                               shows_console=shows_console)

        def done(item: EvidenceItem) -> None:
            if self.closed or self.window.report.evidence_item(old.id) is None:
                # Removed while the edit was being stored: the new file is not wanted either.
                self.pending.add(item.id)
            else:
                insert_item(self.window.report, item, replacing=old.id)
                self.pending.add(old.id)
                self.replaced[old.id] = item.id
                self.changed()
            if on_done is not None:
                on_done(item)

        _track(self.window.env.run, work, done, on_error)

    def forget(self, item_ids) -> None:
        """The items were removed from the report: delete their files once that is saved."""
        self.pending.update(item_ids)

    def remove(self, item_ids) -> None:
        """Take the items out of the report; their files go after the next save."""
        ids = set(item_ids)
        report = self.window.report
        report.evidence = [item for item in report.evidence if item.id not in ids]
        report.touch()
        self.forget(ids)
        self.changed()

    def current(self, item_id: str) -> EvidenceItem | None:
        """The item, or its edited version if it was edited (edits replace items)."""
        seen = set()
        while item_id in self.replaced and item_id not in seen:
            seen.add(item_id)
            item_id = self.replaced[item_id]
        return self.window.report.evidence_item(item_id)

    def changed(self) -> None:
        self.window.mark_dirty()
        page = self.window.pages.get(Step.EVIDENCE)
        if page is not None and page.report is self.window.report:
            page.refresh()

    def _saved(self, report_id: str) -> None:
        if not self.pending or report_id != self.report_id:
            return
        ids, store = sorted(self.pending), self.store
        self.window.env.run(lambda: remove_unreferenced(store, report_id, ids),
                            on_success=self._removed, on_error=self._removal_failed)

    def _removed(self, gone: list[str]) -> None:
        self.pending.difference_update(gone)
        if gone:
            self.removed.emit(gone)

    def _removal_failed(self, exc: BaseException) -> None:
        # The files stay listed as pending and are tried again after the next save.
        log.warning("could not remove replaced attachments: %s", type(exc).__name__)

    def _take_late(self) -> None:
        late, self.late = self.late, []
        for item in late:
            self.add(item)

    def _close_refused(self, _report_id: str) -> None:
        self._take_late()  # the window stays open: into its report, as usual

    def _discarded(self, _report_id: str) -> None:
        self.discarded = True
        self._take_late()  # their files go with the draft

    def _closed(self, report_id: str) -> None:
        # The window's last save has finished (closeEvent waits for it): remove now, in-line,
        # because no later save will come to trigger it.
        self.closed = True
        self._take_late()  # into the saved draft (or gone, if it was discarded)
        if self.pending:
            try:
                self._removed(remove_unreferenced(self.store, report_id, sorted(self.pending)))
            except Exception as exc:  # noqa: BLE001 - leaves the files for collect_garbage
                self._removal_failed(exc)
