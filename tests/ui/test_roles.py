"""The numbers used on the start-up path are Qt's own, and the property setters take effect."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTreeWidget

from capture_app.ui.platform import roles


def test_role_numbers_match_qt():
    assert Qt.ItemDataRole.UserRole.value == roles.USER_ROLE
    assert Qt.ItemDataRole.AccessibleTextRole.value == roles.ACCESSIBLE_TEXT_ROLE
    assert Qt.TextFlag.TextWordWrap.value == roles.TEXT_WORD_WRAP
    assert Qt.AlignmentFlag.AlignCenter.value == roles.ALIGN_CENTER
    assert (Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter).value == roles.ALIGN_LEFT_VCENTER


def test_labels_show_markup_as_typed_and_views_wrap(qapp):
    label = QLabel("<b>Max</b> &amp; Co")
    roles.plain_text(label, selectable=True)
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.textInteractionFlags() == (Qt.TextInteractionFlag.TextSelectableByMouse
                                            | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    label.setProperty("alignment", roles.ALIGN_LEFT_VCENTER)
    assert label.alignment() == Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    view = QTreeWidget()
    roles.full_width_text(view)
    assert view.textElideMode() == Qt.TextElideMode.ElideNone
    assert view.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
