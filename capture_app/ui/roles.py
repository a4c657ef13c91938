"""Item-data roles as plain numbers, for code that runs before the first window is shown.

Touching PySide6's ``Qt`` namespace builds every one of its enums at once, which costs about
40 ms; the start-up path (wizard window, triage page, task runner) therefore avoids it and uses
these numbers, which are fixed by Qt's API. A test checks them against ``Qt.ItemDataRole``.
"""

ACCESSIBLE_TEXT_ROLE = 11  # Qt.ItemDataRole.AccessibleTextRole
USER_ROLE = 256  # Qt.ItemDataRole.UserRole
