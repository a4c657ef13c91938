"""Opening a screenshot of a report in the editor and saving the result as a new item.

The file is decoded in a worker (its header is checked against the pixel limit first); the
saved picture is encoded in a worker and stored as a new evidence item in the old one's place.
"""
from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from capture_app.core.platform.i18n import tr
from capture_app.core.report.model import EvidenceItem
from capture_app.ui.capture.evidence_files import EvidenceFiles
from capture_app.ui.capture.grabber import capture_pool
from capture_app.ui.editor.dialog import EditorDialog, EditResult
from capture_app.ui.editor.pii_proposals import CheckOutcome
from capture_app.ui.evidence.images import ImageTooLarge, encode_png, read_image


def edit_item(window, item: EvidenceItem, *, parent: QWidget | None = None, on_open=None,
              on_saved=None) -> None:
    """Load ``item`` in the background and open the editor for it (non-modal to the app)."""
    store = window.env.store
    path = store.attachment_path(window.report.id, item.id)
    limit = int(window.env.config.get("limits.max_image_pixels"))
    parent = parent or window

    def load():
        return read_image(path, max_pixels=limit)

    def loaded(image) -> None:
        from capture_app.core.privacy.pii import own_contact

        dialog = EditorDialog(image, title=item.title or item.filename,
                              shows_console=item.shows_console, parent=parent,
                              own_contact=own_contact(window.report.reporter))
        dialog.saved.connect(lambda result: _save(window, item, result, parent, on_saved))
        dialog.open()
        if on_open is not None:
            on_open(dialog)

    def failed(exc: BaseException) -> None:
        if isinstance(exc, ImageTooLarge):
            message = tr("editor.too_large", name=item.filename, width=exc.width,
                         height=exc.height)
        else:
            message = tr("editor.unreadable", name=item.filename,
                         reason=str(exc) or type(exc).__name__)
        QMessageBox.warning(parent, tr("editor.open_failed_title"), message)

    window.env.run(load, on_success=loaded, on_error=failed, parent=parent,
                   progress_label=tr("editor.loading"), pool=capture_pool())


def _save(window, item: EvidenceItem, result: EditResult, parent, on_saved) -> None:
    files = EvidenceFiles.of(window)
    current = files.current(item.id)
    if current is None:  # removed while the editor was open
        return
    if result.image is None:
        # Only the label changed: the pixels (and so the file) stay as they are.
        checked = record_check(current, result.text_check)
        if current.shows_console != result.shows_console or checked:
            current.shows_console = result.shows_console
            window.report.touch()
            files.changed()
        if on_saved is not None:
            on_saved(current)
        return
    image = result.image

    def failed(exc: BaseException) -> None:
        QMessageBox.warning(parent, tr("editor.save_failed_title"), tr(
            "editor.save_failed", name=current.filename,
            reason=exc.message() if hasattr(exc, "message") else type(exc).__name__))

    def stored(new_item: EvidenceItem) -> None:
        if record_check(new_item, result.text_check) and window.report.evidence_item(new_item.id):
            window.report.touch()
            files.changed()
        if on_saved is not None:
            on_saved(new_item)

    def encoded(png_bytes: bytes) -> None:
        files.store_edit(current, png_bytes, shows_console=result.shows_console,
                         on_done=stored, on_error=failed)

    window.env.run(lambda: encode_png(image), on_success=encoded, on_error=failed, parent=parent,
                   progress_label=tr("editor.saving"), pool=capture_pool())


def record_check(item: EvidenceItem, outcome: CheckOutcome | None) -> bool:
    """Keep what the editor's text check found and the agent decided (never the text) on the
    item; False when there is nothing to keep (the editor closed before the picture was read)."""
    if outcome is None:
        return False
    item.pii_check, item.pii_places = outcome.state, outcome.places
    item.pii_redacted, item.pii_open = outcome.redacted, outcome.open
    return True
