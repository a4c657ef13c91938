"""The role numbers used on the start-up path are Qt's own."""
from PySide6.QtCore import Qt

from capture_app.ui import roles


def test_role_numbers_match_qt():
    assert roles.USER_ROLE == Qt.ItemDataRole.UserRole.value
    assert roles.ACCESSIBLE_TEXT_ROLE == Qt.ItemDataRole.AccessibleTextRole.value
