"""The one loader for files under ``resources/``.

The folder lives at the top of the source tree and is shipped inside the wheel as
``capture_app/resources``; a PyInstaller build unpacks it beside the executable.
"""
from __future__ import annotations

import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from capture_app.core.platform import tomlcache


@lru_cache(maxsize=1)
def resource_root() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    candidates = []
    if frozen_root:
        candidates.append(Path(frozen_root) / "resources")
    package_dir = Path(__file__).resolve().parents[2]
    candidates.append(package_dir / "resources")  # installed wheel
    candidates.append(package_dir.parent / "resources")  # source tree / editable install
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        "resources folder not found; looked in: " + ", ".join(str(c) for c in candidates)
    )


def resource_path(*parts: str) -> Path:
    return resource_root().joinpath(*parts)


def read_text(*parts: str) -> str:
    return resource_path(*parts).read_text(encoding="utf-8")


def read_bytes(*parts: str) -> bytes:
    return resource_path(*parts).read_bytes()


def load_toml(*parts: str) -> dict[str, Any]:
    return tomlcache.load_path(resource_path(*parts))


def load_json(*parts: str) -> dict[str, Any]:
    return cast("dict[str, Any]", json.loads(read_text(*parts)))
