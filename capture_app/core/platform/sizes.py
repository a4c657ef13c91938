"""File sizes as a reader sees them (``48 MB``, ``1,5 MB``, ``320 KB``), in the reader's language."""
from __future__ import annotations

import math

from capture_app.core.platform.i18n import tr

MB = 1024 * 1024


def format_size(size: int, language: str, *, round_up: bool = False) -> str:
    """``48 MB`` / ``1,5 MB`` / ``320 KB`` in the reader's language.

    ``round_up`` is for "too large" messages: a file a few bytes over 25 MB must not read
    "25 MB; allowed are 25 MB".
    """
    rounding = math.ceil if round_up else round
    if size < 1024:
        return tr("bundle.unit.bytes", language=language, n=size)
    if size < MB:
        return tr("bundle.unit.kb", language=language, n=max(1, rounding(size / 1024)))
    tenths = rounding(size * 10 / MB)
    number = f"{tenths // 10}" if tenths % 10 == 0 else f"{tenths / 10:.1f}"
    if language == "de":
        number = number.replace(".", ",")
    return tr("bundle.unit.mb", language=language, n=number)
