"""Qt plumbing every window uses: the background task runner (tasks), the
garbage collector on the UI thread (gc_guard), screen fitting, Qt's own texts in the UI
language, accessible names, form helpers, the single running instance, desktop links, the OS
time zone.

May import: capture_app.core; no other ui package.
"""
