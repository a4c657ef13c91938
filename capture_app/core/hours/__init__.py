"""Support hours of 2nd-level support (support_hours) and the reminders they lead to
(reminders).

May import: platform.
"""
