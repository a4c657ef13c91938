"""Evidence in Qt: importing console output and files (console_import), images read
with a pixel limit, encoded and scaled (images), and the check of a screenshot's text for personal
data (screenshot_check). Screen capture and the image editor are the packages ui.capture and
ui.editor.

May import: capture_app.core, ui.platform.
"""
