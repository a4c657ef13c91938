"""Reviewing personal data before sending, in the texts and on the screenshots
(pii_review).

May import: capture_app.core, ui.platform.
"""
