"""The report itself: the model that is saved, bundled and validated against
resources/report.schema.json (model), and the draft store on disk (drafts).

May import: platform.
"""
