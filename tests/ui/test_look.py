"""The look check (tools/look_check.py): every window and wizard step, German and English, light
and dark, on a 1280×720 laptop and a 1920×1080 desktop with a taskbar — nothing cut off, nothing
overlapping, no heading shortened without a tooltip, no window larger than the free screen.

The walk and the checks are the script's own; the small windows below, each with one deliberate
fault, show that every check finds what it is for.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import look_check

pytestmark = pytest.mark.gui


@pytest.mark.parametrize("width,height", look_check.SIZES, ids=lambda v: str(v))
def test_every_screen_passes_the_look_check(width, height):
    for tool in ("Xvfb", "xprop"):
        assert shutil.which(tool), f"{tool} is missing: `python3 dev.py test` installs it"
    result = look_check.check_size(width, height, outdir=None)
    findings = [str(look_check.Finding(**f)) for f in result["findings"]]
    summary = f"look check {width}x{height}: {result['screens']} screens, {len(findings)} findings"
    print(summary)
    assert findings == [], summary + "\n" + "\n".join(findings)
    per_language_and_scheme = result["screens"] // (len(look_check.LANGUAGES) * len(look_check.SCHEMES))
    # Main window, first-start question, 5 settings tabs and 2 ways of sending, outbox, the
    # wizard's start, a self-help, a project-lead and a not-Flexperto case, the 6 steps, the
    # system facts and the recorded steps over the wizard, the console guide, console import,
    # editor, the launcher with support open and closed, support hours.
    assert per_language_and_scheme == 28, summary


# --- each check finds its fault ----------------------------------------------------------------


def findings_in(qtbot, window) -> list[tuple[str, str]]:
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return [(f.kind, f.detail) for f in look_check.check_window(window, "self-test")]


def plain_window(width: int = 300, height: int = 200):
    from PySide6.QtWidgets import QWidget

    window = QWidget()
    window.resize(width, height)
    return window


def test_a_clean_window_has_no_findings(qtbot):
    from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QVBoxLayout

    window = plain_window()
    layout = QVBoxLayout(window)
    layout.addWidget(QLabel("Nächster Versuch"))
    layout.addWidget(QPushButton("Senden"))
    scroll = QScrollArea()  # content larger than its viewport scrolls: not cut off
    inner = QLabel("\n".join(f"Zeile {n}" for n in range(60)))
    scroll.setWidget(inner)
    layout.addWidget(scroll)
    assert findings_in(qtbot, window) == []


def test_a_widget_cut_off_by_its_parent_is_found(qtbot):
    from PySide6.QtWidgets import QPushButton

    window = plain_window()
    button = QPushButton("Weiter", window)
    button.setGeometry(250, 20, 100, 30)  # 50 px beyond the right edge
    assert [kind for kind, _ in findings_in(qtbot, window)] == ["clipped"]


def test_a_label_smaller_than_its_text_is_found(qtbot):
    from PySide6.QtWidgets import QLabel

    window = plain_window()
    label = QLabel("Nächster Versuch automatisch", window)
    label.setGeometry(10, 10, 60, 30)
    found = findings_in(qtbot, window)
    assert [kind for kind, _ in found] == ["too-small"]
    assert "Nächster Versuch" in found[0][1]


def test_two_overlapping_siblings_are_found(qtbot):
    from PySide6.QtWidgets import QPushButton

    window = plain_window()
    QPushButton("Zurück", window).setGeometry(10, 10, 120, 30)
    QPushButton("Weiter", window).setGeometry(100, 20, 120, 30)
    found = findings_in(qtbot, window)
    assert [kind for kind, _ in found] == ["overlap"]
    assert "Zurück" in found[0][1] and "Weiter" in found[0][1]


def test_a_shortened_heading_without_tooltip_is_found_and_one_with_tooltip_is_not(qtbot):
    from PySide6.QtWidgets import QTableWidget, QVBoxLayout

    window = plain_window(400, 200)
    table = QTableWidget(0, 2)
    table.setHorizontalHeaderLabels(["Personenbezogene Daten", "Art"])
    table.horizontalHeader().resizeSection(0, 40)
    QVBoxLayout(window).addWidget(table)
    found = findings_in(qtbot, window)
    assert [kind for kind, _ in found] == ["heading"]
    assert "Personenbezogene Daten" in found[0][1]
    table.horizontalHeaderItem(0).setToolTip("Personenbezogene Daten")
    assert [f.kind for f in look_check.check_window(window, "self-test")] == []


def test_a_window_larger_than_the_free_screen_is_found(qtbot):
    from PySide6.QtGui import QGuiApplication

    free = QGuiApplication.primaryScreen().availableGeometry()
    window = plain_window()
    window.setGeometry(free.x(), free.y(), free.width(), free.height())  # no room for the frame
    assert [kind for kind, _ in findings_in(qtbot, window)] == ["off-screen"]
