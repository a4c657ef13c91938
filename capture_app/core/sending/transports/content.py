"""What SMTP and HTTP send, read from the built bundle: subject, body and the files.

Both transports send the same pieces so that a helpdesk sees the same thing either way: the
readable report (``report.txt``) as the body, every evidence and system file as its own
attachment (so images preview), and ``report.json`` plus ``manifest.json`` for machines.
``report.html`` stays in the bundle only: it shows the screenshots from the bundle's own folder,
which a lone attachment could not.

The subject is built from organisation, case and summary and can never carry a line break:
CR, LF, NEL (U+0085), LINE/PARAGRAPH SEPARATOR (U+2028/9) and every other control or format
character become spaces before it reaches a header.
"""
from __future__ import annotations

import json
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any, cast

from capture_app.core.platform.digest import sha256_hasher
from capture_app.core.platform.fsutil import unique_name
from capture_app.core.platform.i18n import tr
from capture_app.core.report.model import Report
from capture_app.core.sending.transports.base import PermanentTransportError

SUBJECT_MAX = 180
BODY_NAME = "report.txt"
JSON_NAME = "report.json"
MANIFEST_NAME = "manifest.json"
NOT_ATTACHED = {BODY_NAME, "report.html"}
_CHUNK = 1024 * 1024


def one_line(text: str, limit: int = SUBJECT_MAX) -> str:
    """``text`` as a single header-safe line: no control/format/separator characters, bounded."""
    cleaned = []
    for char in str(text or ""):
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn") or category.startswith("Z"):
            cleaned.append(" ")
        else:
            cleaned.append(char)
    line = " ".join("".join(cleaned).split())
    if len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return line


def case_title(report: Report, language: str) -> str:
    case_id = report.triage.case_id
    if not case_id:
        return ""
    try:
        from capture_app.core.triage.catalogue import builtin_catalogue

        case = builtin_catalogue().get(case_id)
    except Exception:  # noqa: BLE001 - a broken catalogue must not stop sending
        case = None
    return case.title_in(language) if case else case_id


def subject_for(report: Report, organisation: str = "", language: str | None = None) -> str:
    lang = language or report.language or "de"
    parts = [one_line(organisation or report.reporter.organisation, 60),
             one_line(case_title(report, lang), 60),
             one_line(report.summary, SUBJECT_MAX)]
    parts = [p for p in parts if p]
    prefix = tr("sending.subject_prefix", language=lang)
    return one_line(f"[{prefix}] " + " – ".join(parts) if parts else f"[{prefix}]")


@dataclass(frozen=True)
class Member:
    """One file of the bundle as it will be attached."""

    path: str  # inside the zip
    filename: str  # attachment name, unique within the message
    media_type: str
    size: int
    sha256: str


class BundleContents:
    """Read access to a built bundle, checked against its manifest."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._zip: zipfile.ZipFile | None = None  # opened when first needed

    def _open(self) -> zipfile.ZipFile:
        if self._zip is None:
            try:
                archive = zipfile.ZipFile(self.path)
                manifest_bytes = archive.read(MANIFEST_NAME)
                manifest = json.loads(manifest_bytes)
                files = manifest["files"]
                entries = {f["path"]: f for f in files if isinstance(f, dict) and "path" in f}
            except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
                raise PermanentTransportError("sending.bundle_unreadable", path=str(self.path),
                                              reason=type(exc).__name__) from None
            self._zip, self._manifest_bytes = archive, manifest_bytes
            self._manifest, self._entries = manifest, entries
        return self._zip

    @property
    def manifest_bytes(self) -> bytes:
        self._open()
        return self._manifest_bytes

    @property
    def manifest(self) -> dict[str, Any]:
        self._open()
        return cast("dict[str, Any]", self._manifest)

    @property
    def entries(self) -> dict[str, Any]:
        self._open()
        return self._entries

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> BundleContents:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def report_id(self) -> str:
        return str(self.manifest.get("report_id", ""))

    def read(self, name: str) -> bytes:
        """A whole member, verified against the manifest's SHA-256."""
        try:
            data = self._open().read(name)
        except (KeyError, OSError, zipfile.BadZipFile) as exc:
            raise PermanentTransportError("sending.bundle_unreadable", path=str(self.path),
                                          reason=type(exc).__name__) from None
        expected = self.entries.get(name, {}).get("sha256")
        if expected and sha256_hasher(data).hexdigest() != expected:
            raise PermanentTransportError("sending.bundle_unreadable", path=str(self.path),
                                          reason="sha256")
        return data

    def open(self, name: str) -> IO[bytes]:
        return self._open().open(name)

    def body_text(self) -> str:
        return self.read(BODY_NAME).decode("utf-8")

    def attachments(self) -> list[Member]:
        """Evidence and system files in bundle order, then report.json (manifest comes last)."""
        taken: set[str] = set()
        members: list[Member] = []
        order = [p for p in self.entries if p not in NOT_ATTACHED and p not in (JSON_NAME, MANIFEST_NAME)]
        for path in [*order, JSON_NAME]:
            entry = self.entries.get(path)
            if entry is None:
                continue
            name = unique_name(PurePosixPath(path).name, taken)
            taken.add(name)
            members.append(Member(path, name, str(entry.get("media_type") or "application/octet-stream"),
                                  int(entry.get("size") or 0), str(entry.get("sha256") or "")))
        return members

    def manifest_member(self) -> Member:
        return Member(MANIFEST_NAME, MANIFEST_NAME, "application/json", len(self.manifest_bytes),
                      sha256_hasher(self.manifest_bytes).hexdigest())


class SizedReader:
    """A zip member as a stream of known length (what a streaming multipart encoder needs)."""

    def __init__(self, handle: IO[bytes], size: int) -> None:
        self._handle = handle
        self._left = size

    @property
    def len(self) -> int:  # requests-toolbelt asks for the bytes still to come
        return self._left

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        amount = self._left if size is None or size < 0 else min(size, self._left, _CHUNK * 4)
        data = self._handle.read(amount)
        if not data:  # the member is shorter than the manifest said
            raise PermanentTransportError("sending.bundle_unreadable", path="", reason="short")
        self._left -= len(data)
        return data


def attached_files(bundle_path: Path | str) -> tuple[tuple[str, int, str], ...]:
    """(name, size, SHA-256) of every file as it is attached — what a receipt lists."""
    with BundleContents(bundle_path) as contents:
        members = [*contents.attachments(), contents.manifest_member()]
    return tuple((m.filename, m.size, m.sha256) for m in members)
