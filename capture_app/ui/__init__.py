"""PySide6 user interface. It calls ``capture_app.core``; core never calls it."""
import PySide6.QtCore  # noqa: F401 - PySide6's import checks exist from here on

from capture_app.ui.platform.memory import lean_import_checks

lean_import_checks()  # before the rest of the app is imported
