"""Recording steps in Qt (core.evidence.steps): the always-on-top control and the recording of
one wizard window (recording), the list of recorded steps with deleting and redacting
(step_list), and the "Schritte" line of the evidence step (tools).

May import: capture_app.core, ui.platform, ui.capture, ui.evidence, ui.editor.
"""
