"""PySide6 user interface. It calls ``capture_app.core``; core never calls it."""
