"""What every HTTP transport does the same way: read a bounded answer, show an address without
its credentials, and take a file's digest for the receipt.

Shared by the generic intake (``http.py``) and the helpdesk profiles (``helpdesk.py``), which
dispatch to each other only in one direction (http → helpdesk).
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

RESPONSE_LIMIT = 1024 * 1024  # what is read of an answer; a ticket id is small
_CHUNK = 64 * 1024


def read_limited(response: Any) -> str:
    """The answer's text, at most ``RESPONSE_LIMIT`` bytes of it; an answer cut off is kept."""
    chunks, total = [], 0
    try:
        for chunk in response.iter_content(_CHUNK):
            chunks.append(chunk)
            total += len(chunk)
            if total >= RESPONSE_LIMIT:
                break
    except Exception:  # noqa: BLE001 - the status is what counts; the text is a courtesy
        pass
    return b"".join(chunks)[:RESPONSE_LIMIT].decode("utf-8", "replace")


def display(url: str) -> str:
    """The address as it may be shown and logged: no user name, password or token in it."""
    from capture_app.core.platform.net import display_url

    return display_url(url)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()
