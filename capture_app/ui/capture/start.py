"""The hook a new report goes through: capture the screen first, when that is possible at all.

Kept small on purpose: where nothing can be captured (Qt's offscreen platform, the setting
turned off) the wizard opens without loading the capture machinery.
"""
from __future__ import annotations


def open_report(controller, report, early=None):
    """Open the wizard for ``report``; see :func:`capture_app.ui.capture.as_it_was.open_report`."""
    from capture_app.ui.capture.grabber import capture_enabled, default_env

    if early is None and not (capture_enabled(controller.config) and default_env().can_capture()):
        return controller.open_wizard(report)
    from capture_app.ui.capture import as_it_was

    return as_it_was.open_report(controller, report, early)
