"""Screenshots as evidence items: storing captures and edits, renaming, reordering.

Attachments are write-once (see ``core.drafts``). An edited or redacted screenshot is a *new*
item with a new id and a new file; it takes the old item's place in the list. The old file is
removed only once a saved report no longer refers to it (:func:`removable`), so a crash in
between leaves a draft that still opens — and the unredacted pixels leave the data folder as
soon as the redaction is saved.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import datetime

from capture_app.core.evidence import png
from capture_app.core.platform.errors import UserFacingError
from capture_app.core.platform.fsutil import sanitize_filename, unique_name
from capture_app.core.platform.i18n import tr
from capture_app.core.report.model import EvidenceItem, Report, iso, new_id, utc_now

# (report_id, item_id, bytes) -> (size, sha256): DraftStore.store_attachment.
StoreFn = Callable[[str, str, bytes], "tuple[int, str]"]


class ScreenshotSaveError(UserFacingError):
    """A screenshot could not be stored in the draft."""


def default_title(what: str, moment: datetime, *, language: str | None = None,
                  **params: object) -> str:
    """``Bildschirm 14:03:12``, ``Bildschirm 2 14:03:12``, ``Bereich …``, ``Browser-Konsole …``."""
    local = moment.astimezone()
    return tr(f"screenshot.title_{what}", language=language, time=local.strftime("%H:%M:%S"),
              **params)


def new_screenshot_item(report_id: str, png_bytes: bytes, store_fn: StoreFn, *, title: str,
                        shows_console: bool = False, now: datetime | None = None,
                        max_pixels: int | None = None) -> EvidenceItem:
    """Store ``png_bytes`` as a new attachment and return its item (not yet in the report).

    The PNG is checked first: it must be a clean image (only image chunks, nothing after IEND)
    and within the pixel limit — whatever produced it.
    """
    try:
        info = png.inspect(png_bytes)
    except png.PngError as exc:
        raise ScreenshotSaveError("screenshot.not_an_image", detail=str(exc)) from exc
    if not info.clean:
        raise ScreenshotSaveError("screenshot.not_clean")
    if max_pixels is not None and info.width * info.height > max_pixels:
        raise ScreenshotSaveError("screenshot.too_large", width=info.width, height=info.height,
                                  megapixels=round(info.width * info.height / 1e6),
                                  limit_megapixels=round(max_pixels / 1e6))
    item_id = new_id()
    size, sha256 = store_fn(report_id, item_id, png_bytes)
    moment = now or utc_now()
    return EvidenceItem(
        id=item_id, kind="screenshot", filename=screenshot_filename(title), media_type="image/png",
        size=size, sha256=sha256, original_name="", title=title, added_at=iso(moment),
        shows_console=shows_console)


def screenshot_filename(title: str) -> str:
    stem = sanitize_filename(title.replace(":", "-"), fallback="screenshot")
    return sanitize_filename(f"{stem}.png", fallback="screenshot.png")


def edited_item(old: EvidenceItem, report_id: str, png_bytes: bytes, store_fn: StoreFn, *,
                shows_console: bool | None = None, now: datetime | None = None) -> EvidenceItem:
    """The edited version of ``old``: a new id and file, the same kind, name, title and flags.

    The edit is always a PNG, so a ``.jpg`` name becomes ``.png``.
    """
    fresh = new_screenshot_item(report_id, png_bytes, store_fn, title=old.title,
                                shows_console=old.shows_console if shows_console is None
                                else shows_console, now=now)
    stem, dot, ext = old.filename.rpartition(".")
    name = old.filename if ext.lower() == "png" else (
        sanitize_filename(f"{stem}.png") if dot and stem else screenshot_filename(old.title or old.filename))
    return dataclasses.replace(fresh, kind=old.kind, filename=name,
                               original_name=old.original_name, excluded=old.excluded,
                               added_at=old.added_at or fresh.added_at,
                               no_personal_data_confirmed=False)


def insert_item(report: Report, item: EvidenceItem, *, replacing: str | None = None) -> EvidenceItem:
    """Put ``item`` into the report: at the end, or where the item ``replacing`` was."""
    others = {e.filename for e in report.evidence if e.id != replacing}
    if item.filename in others:
        item.filename = unique_name(item.filename, others)
    index = next((i for i, e in enumerate(report.evidence) if e.id == replacing), None)
    if index is None:
        report.evidence.append(item)
    else:
        report.evidence[index] = item
        for step in report.steps:  # a recorded step's redacted picture stays its picture
            if step.picture == replacing:
                step.picture = item.id
    report.touch()
    return item


def rename_item(report: Report, item_id: str, title: str) -> bool:
    """Give an item a new title; its file name in the bundle follows, keeping the extension."""
    item = report.evidence_item(item_id)
    title = title.strip()
    if item is None or not title or title == item.title:
        return False
    item.title = title
    stem, dot, ext = item.filename.rpartition(".")
    suffix = f".{ext}" if dot and stem else ""
    wanted = sanitize_filename(title.replace(":", "-") + suffix, fallback=item.kind)
    item.filename = unique_name(wanted, {e.filename for e in report.evidence if e.id != item_id})
    report.touch()
    return True


def move_item(report: Report, item_id: str, offset: int) -> bool:
    """Move an item up (-1) or down (+1) in the list the agent sees; False at either end.

    Step pictures are listed with their steps, not among the files: an item moves past them
    to the next file.
    """
    index = next((i for i, e in enumerate(report.evidence) if e.id == item_id), None)
    if index is None:
        return False
    target = index + offset
    while 0 <= target < len(report.evidence) and report.evidence[target].kind == "step":
        target += offset
    if not 0 <= target < len(report.evidence):
        return False
    items = report.evidence
    items[index], items[target] = items[target], items[index]
    report.touch()
    return True


def removable(stored: Report | None, item_ids: Iterable[str]) -> list[str]:
    """Which of ``item_ids`` the *saved* report no longer refers to (their files may go)."""
    if stored is None:
        return []
    referenced = {item.id for item in stored.evidence}
    return [item_id for item_id in item_ids if item_id not in referenced]
