"""SHA-256 of files and bundles.

``hashlib`` loads OpenSSL's libcrypto (about 3 MB resident) on import; an app that idles in
the tray all day imports it only once something is actually hashed.
"""
from __future__ import annotations

from typing import Protocol


class Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...
    def digest(self) -> bytes: ...
    def hexdigest(self) -> str: ...


def sha256_hasher(data: bytes = b"") -> Hasher:
    """A ``hashlib.sha256`` object."""
    import hashlib

    return hashlib.sha256(data)
