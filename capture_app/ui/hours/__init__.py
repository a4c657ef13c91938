"""Being there all day: the tray icon or the launcher window (presence, tray,
launcher), the reminders' settings and the support-hours dialog.

May import: capture_app.core, ui.platform.
"""
