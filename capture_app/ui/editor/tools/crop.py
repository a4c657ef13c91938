"""Zuschneiden: keep only the dragged rectangle (the rest is not part of the saved image)."""
from __future__ import annotations

from PySide6.QtCore import QRect

from capture_app.ui.editor.tools.base import Tool


class CropTool(Tool):
    key = "crop"
    shortcut = "C"
    MIN_DRAG = 8

    def make(self) -> QRect | None:
        return self.dragged_rect()
