"""The wizard's decisions, without Qt: which steps apply for a triage outcome, what
each step requires and what blocks *Weiter* (steps). capture_app.ui.wizard only renders them.

May import: triage, report, platform.
"""
