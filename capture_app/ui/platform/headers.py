"""Column headings that are never cut off without a way to read them.

Every table of the app goes through ``fit_columns``: the columns are as wide as their heading
and their cells (one column takes the rest of the width), and each heading carries its full
text as a tooltip, so one that still has to be shortened on a narrow screen ("Nächster Ve…")
can always be read in full.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QTreeView


def header_of(view: QAbstractItemView) -> QHeaderView | None:
    if isinstance(view, QTableView):
        return view.horizontalHeader()
    if isinstance(view, QTreeView):
        return view.header()
    return None


def fit_columns(view: QAbstractItemView, stretch: int) -> None:
    """Columns sized to heading and content; column ``stretch`` takes the remaining width.

    Call it again after the headings' texts change (a new language): the tooltips follow them.
    """
    header = header_of(view)
    model = view.model()
    if header is None or model is None:
        return
    for column in range(model.columnCount()):
        mode = (QHeaderView.ResizeMode.Stretch if column == stretch
                else QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(column, mode)
        text = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        model.setHeaderData(column, Qt.Orientation.Horizontal, str(text or ""),
                            Qt.ItemDataRole.ToolTipRole)
    # The stretching column keeps room for its own heading where the window allows it.
    header.setMinimumSectionSize(max(header.minimumSectionSize(), 40))


def heading_width(header: QHeaderView, column: int) -> int:
    """The width heading ``column`` needs to be shown in full (margins and sort arrow included)."""
    return header.sectionSizeHint(column)


def elided_headings(header: QHeaderView) -> list[tuple[int, str, bool]]:
    """The headings shown shorter than their text: (column, text, has a tooltip)."""
    model = header.model()
    if model is None or not header.isVisible():
        return []
    found = []
    for column in range(header.count()):
        if header.isSectionHidden(column):
            continue
        text = str(model.headerData(column, header.orientation(), Qt.ItemDataRole.DisplayRole) or "")
        if text and header.sectionSize(column) < heading_width(header, column):
            tooltip = model.headerData(column, header.orientation(), Qt.ItemDataRole.ToolTipRole)
            found.append((column, text, bool(tooltip)))
    return found
