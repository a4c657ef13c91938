"""What screen readers hear, where Qt's defaults say the wrong thing.

On Linux, Qt names a dropdown after its current value ("– bitte wählen –", "Immer") and
ignores the accessible name its form row gave it, so Orca announces the value and never the
question. ``install`` registers an accessible interface for every ``QComboBox`` whose name is
its label (the accessible name) and whose value is the current entry.
"""
from __future__ import annotations

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAccessibleWidget, QComboBox

_installed = False


class NamedComboBox(QAccessibleWidget):
    def __init__(self, combo: QComboBox) -> None:
        super().__init__(combo, QAccessible.Role.ComboBox)

    def text(self, kind):
        combo = self.widget()
        if kind == QAccessible.Value:
            return combo.lineEdit().text() if combo.isEditable() else combo.currentText()
        if kind == QAccessible.Name:
            return combo.accessibleName() or combo.currentText()
        return super().text(kind)


def _factory(_key: str, obj):
    return NamedComboBox(obj) if isinstance(obj, QComboBox) else None


def install() -> None:
    """Once per process, before the first window (Qt caches interfaces once made)."""
    global _installed
    if not _installed:
        QAccessible.installFactory(_factory)
        _installed = True
