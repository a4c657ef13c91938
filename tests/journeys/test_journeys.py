"""Every case of the built-in catalogue, from the first click to its end, as an agent does it.

The cases come from resources/triage.toml through core's loader: a case added there gets its
journeys here without a change to this file. Each journey runs in German and in English, on a
1280×720 and a 1920×1080 screen, with a window manager, driven by real X input.
"""
from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path

import pytest

from capture_app.core.triage.catalogue import CATEGORY_ORDER, builtin_catalogue

pytestmark = pytest.mark.gui

LANGUAGES = ("de", "en")
SIZES = ((1280, 720), (1920, 1080))
PATHS = {
    "second_level": ("report",),  # search, fill in, evidence, Prüfen, Exportieren, In Postausgang
    "first_level": ("solved", "escalate"),  # Gelöst; Hat nicht geholfen → the whole report
    "project_lead": ("done",),  # the question to the project lead, then closed
    "not_flexperto": ("done",),  # closed as not Flexperto's
}


def journeys():
    catalogue = builtin_catalogue()
    for language in LANGUAGES:
        for width, height in SIZES:
            for category in CATEGORY_ORDER:
                for case in catalogue.by_category(category):
                    for path in PATHS[category]:
                        yield pytest.param(language, width, height, case.id, path,
                                           id=f"{language}-{width}x{height}-{case.id}-{path}")


def zipped_texts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode("utf-8", errors="replace")
                for name in archive.namelist() if name.endswith((".json", ".txt", ".log", ".html"))}


def strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def delivered_bundle(folder: Path, report_id: str, timeout_s: float = 60) -> Path:
    """The bundle the outbox's background sender delivered (transport "export" into a folder)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for candidate in folder.glob("*.zip"):
            try:
                if json.loads(zipped_texts(candidate)["report.json"])["id"] == report_id:
                    return candidate
            except (KeyError, zipfile.BadZipFile, ValueError):
                continue  # still being written
        time.sleep(0.2)
    raise AssertionError(f"the outbox delivered nothing for {report_id} into {folder}")


def assert_in_bundle(bundle: Path, result: dict, case_id: str) -> None:
    texts = zipped_texts(bundle)
    report = json.loads(texts["report.json"])
    assert report["id"] == result["report_id"]
    assert report["triage"]["case_id"] == case_id
    values = strings(report)
    for field, typed in result["typed"].items():
        assert any(typed in value for value in values), f"{field} = {typed!r} not in report.json"
        assert typed in texts["report.txt"], f"{field} = {typed!r} not in report.txt"
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
    assert sum(name.startswith("screenshots/") for name in names) >= 2, names
    console = [text for name, text in texts.items() if name.startswith("console/")]
    assert any(result["console_marker"] in text for text in console), names


@pytest.mark.parametrize("language, width, height, case_id, path", list(journeys()))
def test_journey(running_apps, language, width, height, case_id, path):
    app = running_apps(language, width, height)
    tag = f"{case_id[:4]}{path[:3]}{language}{width}".replace("_", "")
    answer = app.run({"case": case_id, "path": path, "tag": tag})
    assert answer["ok"], answer["error"]
    result = answer["result"]
    assert result["report_id"] not in result["drafts_left"]  # nothing half-done left behind
    if path in ("report", "escalate"):
        assert len(result["exported"]) == 1, result
        assert_in_bundle(Path(result["exported"][0]), result, case_id)
        assert_in_bundle(delivered_bundle(Path(result["outbox_folder"]), result["report_id"]),
                         result, case_id)
    if "lead_question" in result["typed"]:
        assert result["typed"]["lead_question"] in result["clipboard"]
