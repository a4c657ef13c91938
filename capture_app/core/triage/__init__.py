"""Triage: the catalogue of cases over resources/triage.toml and the articles
(catalogue), the agent's search (search), the path taken through the questions (path), the
messages for the user and the project lead (messages), and the log of cases closed in triage
(closed_log).

May import: report, platform.
"""
