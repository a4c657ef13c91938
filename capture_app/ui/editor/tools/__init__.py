"""One small class per annotation tool, all behind :class:`~.base.Tool`.

The order here is the order of the editor's tool bar.
"""
from __future__ import annotations

from capture_app.ui.editor.tools.arrow import ArrowTool
from capture_app.ui.editor.tools.base import Annotation, Tool, ToolStyle
from capture_app.ui.editor.tools.crop import CropTool
from capture_app.ui.editor.tools.highlighter import HighlighterTool
from capture_app.ui.editor.tools.rectangle import RectangleTool
from capture_app.ui.editor.tools.redact import RedactTool
from capture_app.ui.editor.tools.step_marker import StepMarkerTool
from capture_app.ui.editor.tools.text import TextTool

TOOLS: tuple[type[Tool], ...] = (RedactTool, RectangleTool, ArrowTool, TextTool, StepMarkerTool,
                                 HighlighterTool, CropTool)

__all__ = ["TOOLS", "Annotation", "Tool", "ToolStyle"]
