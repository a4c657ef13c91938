"""Sending as the agent sees it: the outbox window, the send actions of the
review step, the background sender and the transport settings.

May import: capture_app.core, ui.platform.
"""
