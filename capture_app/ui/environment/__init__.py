"""The system facts as the agent sees and corrects them (system_info_view).

May import: capture_app.core, ui.platform.
"""
