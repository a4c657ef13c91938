"""Getting a report to 2nd-level support: the bundle and its readable renderings
(bundle, render), the size budget (size_budget), the outbox on disk (outbox), the service that
sends from it (service), and the transports behind one interface (transports).

May import: environment, evidence, triage, hours, report, privacy, platform.
"""
