"""Column headings are never cut off without a way to read them: the outbox's and the drafts'
headings in full at 1280×720, and a heading squeezed by a narrow window keeps its text as a
tooltip."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget

from capture_app.core.platform import i18n
from capture_app.ui.platform.headers import elided_headings, fit_columns, heading_width

pytestmark = pytest.mark.gui


def shown_in_full(table: QTableWidget, column: int) -> bool:
    return table.horizontalHeader().sectionSize(column) >= heading_width(table.horizontalHeader(), column)


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_outbox_shows_every_heading_in_full(controller, qtbot, language):
    i18n.set_language(language)
    window = controller.show_outbox()
    window.resize(900, 520)
    qtbot.waitExposed(window)
    table = window.table
    cut = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())
           if not shown_in_full(table, c)]
    assert cut == []


def test_the_drafts_list_shows_every_heading_in_full(controller, qtbot):
    window = controller.show_main_window()
    window.resize(800, 500)
    qtbot.waitExposed(window)
    table = window.table
    assert [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())
            if not shown_in_full(table, c)] == []


def test_in_a_narrow_window_no_heading_is_cut_and_each_keeps_its_text_as_tooltip(qtbot):
    headings = ["Personenbezogene Daten", "Nächster Versuch", "Zuletzt geändert"]
    table = QTableWidget(0, 3)
    table.setHorizontalHeaderLabels(headings)
    fit_columns(table, 0)
    qtbot.addWidget(table)
    table.resize(200, 120)
    table.show()
    qtbot.waitExposed(table)
    assert [c for c in range(3) if not shown_in_full(table, c)] == []  # it scrolls sideways
    assert elided_headings(table.horizontalHeader()) == []
    tooltips = [table.model().headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
                for c in range(3)]
    assert tooltips == headings


def test_elided_headings_names_a_cut_heading_and_whether_it_has_a_tooltip(qtbot):
    table = QTableWidget(0, 2)
    table.setHorizontalHeaderLabels(["Personenbezogene Daten", "Art"])
    qtbot.addWidget(table)
    table.horizontalHeader().resizeSection(0, 40)
    table.show()
    qtbot.waitExposed(table)
    assert elided_headings(table.horizontalHeader()) == [(0, "Personenbezogene Daten", False)]
    table.horizontalHeaderItem(0).setToolTip("Personenbezogene Daten")
    assert elided_headings(table.horizontalHeader()) == [(0, "Personenbezogene Daten", True)]
