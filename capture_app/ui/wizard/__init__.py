"""The report wizard: one page per core ``Step``, rendered from the decisions in ``core.wizard``."""
