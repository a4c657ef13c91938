"""Importing a file as evidence: check it, name it safely, store it, add it to the report.

Every check runs before anything is stored, and the report is changed only after the file was
stored and found to be the file that was checked — a failed import leaves the report as it was.
Each refusal is an ``EvidenceError`` whose message names the file, the reason and the next step.
"""
from __future__ import annotations

import codecs
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from capture_app.core.evidence import filetypes as ft
from capture_app.core.evidence.filetypes import FileType
from capture_app.core.platform.errors import UserFacingError
from capture_app.core.platform.fsutil import sanitize_filename, unique_name
from capture_app.core.platform.i18n import current_language, tr
from capture_app.core.platform.sizes import MB, format_size
from capture_app.core.report.model import EVIDENCE_KINDS, EvidenceItem, Report, iso, new_id, utc_now

CHUNK = 1024 * 1024

# What each kind of evidence may be. Console output is text (a JSON dump is text too); a network
# log must be a HAR; documents are PDFs or scans.
ALLOWED_TYPES: dict[str, tuple[FileType, ...]] = {
    "screenshot": ft.IMAGE_TYPES,
    "document": (ft.PDF_DOC, *ft.IMAGE_TYPES),
    "console": (ft.PLAIN_TEXT, ft.JSON_TEXT),
    "network": (ft.HAR,),
    "other": (*ft.IMAGE_TYPES, ft.PDF_DOC, ft.PLAIN_TEXT, ft.JSON_TEXT, ft.HAR),
}

# (report_id, item_id, source) -> (size, sha256): DraftStore.store_attachment has this shape.
StoreFn = Callable[[str, str, Path], "tuple[int, str]"]


@dataclass(frozen=True)
class ImportLimits:
    max_file_bytes: int = 25 * MB
    max_image_pixels: int = 100_000_000


DEFAULT_LIMITS = ImportLimits()


class EvidenceError(UserFacingError):
    """A refused import (messages in ``evidence.toml``)."""

    def display_params(self, language: str | None) -> dict[str, Any]:
        return _display_params(self.params, language)


def _display_params(params: dict[str, Any], language: str | None) -> dict[str, Any]:
    """Raw facts (bytes, type keys, kinds) as the reader's language spells them."""
    lang = language or current_language()
    shown = dict(params)
    if "size" in params:
        shown["size"] = format_size(params["size"], lang, round_up=True)
    if "limit" in params:
        shown["limit"] = format_size(params["limit"], lang)
    if "claimed" in params:  # "ends in .png (PNG image)"
        shown["claimed"] = tr(f"evidence.type.{params['claimed']}", language=language)
    if "actual" in params:  # "but is actually a ZIP archive"
        shown["actual"] = tr(f"evidence.type_a.{params['actual']}", language=language)
    if "kind" in params:
        shown["kind"] = tr(f"evidence.kind.{params['kind']}", language=language)
        shown["allowed"] = tr(f"evidence.allowed.{params['kind']}", language=language)
    return shown


@dataclass(frozen=True)
class ImportCheck:
    """A file that passed every check, with what the evidence item will record."""

    path: Path
    kind: str
    filetype: FileType
    filename: str  # sanitised, extension matching the content; not yet unique in a report
    original_name: str
    size: int
    sha256: str
    dimensions: tuple[int, int] | None = None

    @property
    def media_type(self) -> str:
        return self.filetype.media_type


# --- checks ---------------------------------------------------------------------------------

def display_name(name: str) -> str:
    """The name as shown in messages: bidi overrides removed, so ``gnp.exe`` cannot pose as ``exe.png``."""
    return sanitize_filename(name)


def _file_size(path: Path, name: str) -> int:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise EvidenceError("evidence.file_missing", name=name, folder=str(path.parent)) from None
    except OSError as exc:
        raise EvidenceError("evidence.file_unreadable", name=name, reason=_reason(exc)) from exc
    if path.is_dir():
        raise EvidenceError("evidence.not_a_file", name=name)
    return info.st_size


def _reason(exc: OSError) -> str:
    return exc.strerror or exc.__class__.__name__


def _check_type(filetype: FileType, kind: str, shown: str) -> None:
    """Refuse programs, disguised files, archives and types this kind of evidence cannot be.

    The extension is read from the sanitised name: ``evil.exe.`` or ``a.png<RLO>`` must be
    judged by what the name becomes, not by what it was.
    """
    ext = ft.extension_of(shown)
    claimed = ft.type_for_extension(ext) if ext else None
    if filetype.family == ft.EXECUTABLE:
        if claimed is not None and claimed.family != ft.EXECUTABLE:
            raise EvidenceError("evidence.executable_disguised", name=shown, ext=ext,
                                claimed=claimed.key, actual=filetype.key)
        raise EvidenceError("evidence.executable", name=shown, actual=filetype.key)
    if claimed is not None and claimed.family != filetype.family:
        if claimed.family == ft.TEXT and filetype is ft.BINARY:
            # Most likely a log saved in a legacy encoding, not a disguise.
            raise EvidenceError("evidence.text_undecodable", name=shown)
        raise EvidenceError("evidence.disguised", name=shown, ext=ext, claimed=claimed.key,
                            actual=filetype.key)
    if filetype.family == ft.ARCHIVE:
        if ext in ft.OFFICE_EXTENSIONS:  # a .docx is a ZIP, but the agent needs to hear "make a PDF"
            raise EvidenceError("evidence.office_document", name=shown, ext=ext)
        raise EvidenceError("evidence.archive", name=shown, actual=filetype.key)
    if filetype is ft.BINARY:
        if kind in ("console", "network"):
            raise EvidenceError("evidence.text_undecodable", name=shown)
        raise EvidenceError("evidence.unknown_type", name=shown, kind=kind)
    if filetype not in ALLOWED_TYPES[kind]:
        if kind == "network" and filetype.family == ft.TEXT:
            raise EvidenceError("evidence.not_har", name=shown)
        raise EvidenceError("evidence.wrong_kind", name=shown, kind=kind, actual=filetype.key)


def evidence_filename(name: str, filetype: FileType, kind: str) -> str:
    """A safe name whose extension tells the truth about the content.

    Called after ``_check_type``: an extension of another family has already been refused.
    A sibling type's extension (``.jpg`` on a PNG) is corrected; a missing or unknown one
    (``Screenshot 10.15.03``) gets the canonical extension appended.
    """
    safe = sanitize_filename(name, fallback=kind)
    ext = ft.extension_of(safe)
    if ext in filetype.extensions or (filetype.family == ft.TEXT and
                                      ft.type_for_extension(ext) in (ft.PLAIN_TEXT, ft.JSON_TEXT, ft.HAR)):
        return safe
    claimed = ft.type_for_extension(ext) if ext else None
    if claimed is not None and claimed.family == filetype.family:
        safe = safe[: -len(ext) - 1]
    return sanitize_filename(f"{safe}.{filetype.extension}", fallback=kind)


def _check_image(handle: BinaryIO, filetype: FileType, limits: ImportLimits, shown: str) -> Any:
    """Width and height from the header only: an image bomb is refused before anything decodes it."""
    if filetype.family != ft.IMAGE:
        return None
    dims = ft.image_dimensions(handle, filetype)
    if not dims or dims[0] <= 0 or dims[1] <= 0:
        raise EvidenceError("evidence.image_broken", name=shown, claimed=filetype.key)
    width, height = dims
    if width * height > limits.max_image_pixels:
        raise EvidenceError("evidence.image_too_large", name=shown, width=width, height=height,
                            megapixels=round(width * height / 1_000_000),
                            limit_megapixels=round(limits.max_image_pixels / 1_000_000))
    if filetype is ft.PNG:
        # The header alone says nothing about the rest: a PNG cut off in its image data shows
        # half a screen (or nothing) in Review, report.html and at the support desk.
        from capture_app.core.evidence import png

        try:
            png.verify(handle)
        except png.PngError:
            raise EvidenceError("evidence.image_incomplete", name=shown) from None
    return dims


def _hash_file(handle: BinaryIO, filetype: FileType, limits: ImportLimits, shown: str) -> Any:
    """SHA-256 and size in one streaming pass; text is decoded all the way through on the way.

    The sniff only saw the head: a log that turns into binary after 8 KB is caught here.
    """
    handle.seek(0)
    digest = hashlib.sha256()
    size = 0
    decoder = None
    if filetype.family == ft.TEXT:
        head = handle.read(4)
        handle.seek(0)
        encoding = ft.text_encoding(head)
        decoder = codecs.getincrementaldecoder(encoding)()
        check_nul = encoding != "utf-16"
    while chunk := handle.read(CHUNK):
        size += len(chunk)
        if size > limits.max_file_bytes:  # the file grew while we read it
            raise EvidenceError("evidence.too_large", name=shown, size=size,
                                limit=limits.max_file_bytes)
        digest.update(chunk)
        if decoder is not None:
            _decode_chunk(decoder, chunk, check_nul, shown)
    if decoder is not None:
        _decode_chunk(decoder, b"", check_nul, shown, final=True)
    return size, digest.hexdigest()


def _decode_chunk(decoder: Any, chunk: bytes, check_nul: bool, shown: str, final: bool = False) -> None:
    try:
        text = decoder.decode(chunk, final=final)
    except UnicodeDecodeError:
        raise EvidenceError("evidence.text_undecodable", name=shown) from None
    if check_nul and "\x00" in text:
        raise EvidenceError("evidence.text_undecodable", name=shown)


def check_import(path: Path | str, kind: str, limits: ImportLimits = DEFAULT_LIMITS, *,
                 original_name: str | None = None) -> ImportCheck:
    """Check a file the agent chose as ``kind`` evidence; raises ``EvidenceError`` on refusal.

    ``original_name`` is the name to record when it differs from the path's (a file dragged
    in from a browser, a temporary copy); it is sanitised like any other name.
    """
    if kind not in EVIDENCE_KINDS:
        raise ValueError(f"unknown evidence kind {kind!r}")
    path = Path(path)
    name = original_name if original_name is not None else path.name
    shown = display_name(name)
    size = _file_size(path, shown)
    if size == 0:
        raise EvidenceError("evidence.empty", name=shown)
    if size > limits.max_file_bytes:
        raise EvidenceError("evidence.too_large", name=shown, size=size, limit=limits.max_file_bytes)
    try:
        with path.open("rb") as handle:
            filetype = ft.sniff_file(handle)
            _check_type(filetype, kind, shown)
            dims = _check_image(handle, filetype, limits, shown)
            size, sha256 = _hash_file(handle, filetype, limits, shown)
    except FileNotFoundError:  # removed between stat and open
        raise EvidenceError("evidence.file_missing", name=shown, folder=str(path.parent)) from None
    except OSError as exc:
        raise EvidenceError("evidence.file_unreadable", name=shown, reason=_reason(exc)) from exc
    if size == 0:
        raise EvidenceError("evidence.empty", name=shown)
    return ImportCheck(path, kind, filetype, evidence_filename(name, filetype, kind), name,
                       size, sha256, dims)


# --- adding to the report -------------------------------------------------------------------

def import_evidence(report: Report, path: Path | str, kind: str, store_fn: StoreFn,
                    limits: ImportLimits = DEFAULT_LIMITS, now: datetime | None = None, *,
                    original_name: str | None = None, title: str | None = None) -> EvidenceItem:
    """Check, store and append a file as evidence; the report is unchanged if anything fails.

    ``store_fn(report_id, item_id, path) -> (size, sha256)`` copies the file where the draft
    keeps its attachments (``DraftStore.store_attachment``).
    """
    check = check_import(path, kind, limits, original_name=original_name)
    filename = unique_name(check.filename, {item.filename for item in report.evidence})
    item_id = new_id()
    try:
        size, sha256 = store_fn(report.id, item_id, Path(path))
    except OSError as exc:
        raise EvidenceError("evidence.store_failed", name=display_name(check.original_name),
                            reason=_reason(exc)) from exc
    if (size, sha256) != (check.size, check.sha256):
        # Someone wrote to the file after we checked it: what was stored is not what was checked.
        raise EvidenceError("evidence.changed_during_import", name=display_name(check.original_name))
    moment = now or utc_now()
    item = EvidenceItem(
        id=item_id, kind=kind, filename=filename, media_type=check.media_type, size=size,
        sha256=sha256, original_name=check.original_name,
        title=title if title is not None else _default_title(check.filename),
        added_at=iso(moment),
    )
    report.evidence.append(item)
    report.touch(moment)
    return item


def _default_title(filename: str) -> str:
    stem, dot, _ = filename.rpartition(".")
    return stem if dot and stem else filename
