"""Does the report fit the transport? The real encoded size, and what to do when it does not.

The size that counts is what travels: for SMTP the whole MIME message (base64 makes every
attachment a third larger, plus line breaks and part headers), for HTTP the multipart body. It is
measured by the transport itself from the built bundle (``Transport.encoded_size``), never
estimated from file sizes.

When the report is over the limit, ``propose`` suggests what would bring it under, biggest win
first: downscale screenshots, trim console logs (keeping the start and the most recent lines),
and — only if that is not enough — leave out the largest other files. ``apply`` carries the
agent's choice out on the draft; every changed file is a *new* evidence item (attachments are
write-once), so Review shows exactly what will be sent. Exporting the bundle is always possible.
"""
from __future__ import annotations

import dataclasses
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from capture_app.core.platform.i18n import tr
from capture_app.core.report.model import Report, new_id

SCALABLE = {"image/png", "image/jpeg", "image/webp", "image/bmp"}
TRIMMABLE = {"text/plain"}
MIN_FACTOR = 0.3  # smaller than this and a screenshot stops being readable
MARGIN = 1.08  # estimates are estimates: aim a little below the limit
_MIN_KEEP = 16 * 1024

# scale_image(source, target, factor) writes a re-encoded, downscaled image; returns its media type.
ScaleImage = Callable[[Path, Path, float], str]


@dataclass(frozen=True)
class Budget:
    transport: str
    size: int  # encoded bytes that would travel
    limit: int | None  # None: no limit known
    content: int = 0  # the raw bytes of the files inside (to relate savings to the encoding)

    @property
    def over(self) -> bool:
        return self.limit is not None and self.size > self.limit

    @property
    def excess(self) -> int:
        return max(0, self.size - self.limit) if self.limit is not None else 0

    @property
    def expansion(self) -> float:
        """Encoded bytes per raw byte (about 1.37 for SMTP's base64, about 1.0 for HTTP)."""
        return self.size / self.content if self.content else 1.0


def measure(transport: Any, bundle_path: Path, report: Report) -> Budget:
    """The encoded size of this report over ``transport`` and the transport's limit."""
    content = sum(item.size for item in report.included_evidence())
    return Budget(transport.name, int(transport.encoded_size(Path(bundle_path), report)),
                  transport.size_limit(), content)


@dataclass(frozen=True)
class Proposal:
    kind: str  # downscale | trim | exclude
    item_id: str
    name: str
    size: int  # now
    expected_size: int  # estimated afterwards
    factor: float = 1.0  # downscale: per side
    keep_bytes: int = 0  # trim: bytes kept

    @property
    def saving(self) -> int:
        return self.size - self.expected_size

    def describe(self, language: str | None = None) -> str:
        from capture_app.core.platform.sizes import format_size

        lang = language or "de"
        return tr(f"sending.budget.{self.kind}", language=lang, name=self.name,
                  size=format_size(self.size, lang),
                  expected=format_size(self.expected_size, lang, round_up=True),
                  percent=round(self.factor * 100))


def propose(report: Report, budget: Budget) -> list[Proposal]:
    """What would bring the report under the limit, in the order it should be offered."""
    if not budget.over:
        return []
    need = math.ceil(budget.excess / max(budget.expansion, 1.0) * MARGIN)
    items = report.included_evidence()
    proposals: list[Proposal] = []
    saved = 0
    screenshots = sorted((i for i in items if i.media_type in SCALABLE), key=lambda i: -i.size)
    logs = sorted((i for i in items if i.media_type in TRIMMABLE and i.kind in ("console", "other")),
                  key=lambda i: -i.size)
    total_images = sum(i.size for i in screenshots)
    if total_images:
        # One factor for all screenshots: bytes shrink roughly with the pixel count (factor²).
        wanted = max(0.0, 1.0 - min(need, total_images) / total_images)
        factor = max(MIN_FACTOR, min(0.9, math.sqrt(wanted) if wanted else MIN_FACTOR))
        for item in screenshots:
            expected = int(item.size * factor * factor)
            proposals.append(Proposal("downscale", item.id, item.filename, item.size, expected,
                                      factor=round(factor, 2)))
            saved += item.size - expected
    for item in logs:
        if saved >= need:
            break
        keep = max(_MIN_KEEP, item.size - (need - saved))
        if keep >= item.size:
            continue
        proposals.append(Proposal("trim", item.id, item.filename, item.size, keep, keep_bytes=keep))
        saved += item.size - keep
    if saved < need:
        chosen = {p.item_id for p in proposals}
        others = sorted((i for i in items if i.id not in chosen), key=lambda i: -i.size)
        for item in others:
            if saved >= need:
                break
            proposals.append(Proposal("exclude", item.id, item.filename, item.size, 0))
            saved += item.size
    return proposals


def trim_text(data: bytes, keep_bytes: int, language: str = "de") -> bytes:
    """The first fifth and the last four fifths of ``keep_bytes``, on line boundaries, with a
    marker saying how many lines were left out (the start shows the setup, the end the error)."""
    if len(data) <= keep_bytes:
        return data
    head_room = keep_bytes // 5
    tail_room = keep_bytes - head_room
    head_end = data.rfind(b"\n", 0, head_room) + 1
    tail_start = data.find(b"\n", len(data) - tail_room)
    tail_start = len(data) if tail_start < 0 else tail_start + 1
    if tail_start <= head_end:
        return data
    left_out = data[head_end:tail_start].count(b"\n")
    marker = tr("sending.budget.trim_marker", language=language, lines=left_out).encode("utf-8")
    return data[:head_end] + b"\n" + marker + b"\n\n" + data[tail_start:]


def apply(report: Report, store: Any, proposals: list[Proposal], scale_image: ScaleImage | None,
          language: str = "de") -> Report:
    """A copy of ``report`` with the proposals carried out; new files are stored in ``store``.

    The caller saves the returned report; the replaced files are collected afterwards.
    """
    changed = Report.from_dict(report.to_dict())
    for proposal in proposals:
        item = changed.evidence_item(proposal.item_id)
        if item is None:
            continue
        if proposal.kind == "exclude":
            item.excluded = True
            continue
        source = store.attachment_path(report.id, item.id)
        fresh_id = new_id()
        if proposal.kind == "downscale":
            if scale_image is None:
                continue
            with tempfile.TemporaryDirectory(prefix="report-capture-scale-") as scratch:
                target = Path(scratch) / "scaled"
                media_type = scale_image(source, target, proposal.factor)
                size, sha = store.store_attachment(changed.id, fresh_id, target)
        elif proposal.kind == "trim":
            trimmed = trim_text(source.read_bytes(), proposal.keep_bytes, language)
            media_type = item.media_type
            size, sha = store.store_attachment(changed.id, fresh_id, trimmed)
        else:
            continue
        replacement = dataclasses.replace(item, id=fresh_id, size=size, sha256=sha,
                                          media_type=media_type)
        changed.evidence[changed.evidence.index(item)] = replacement
        for step in changed.steps:  # a smaller step picture stays its step's picture
            if step.picture == item.id:
                step.picture = fresh_id
    return changed
