"""Report Capture: the 1st-level support agent's tool for reporting problems to Flexperto."""

__version__ = "0.1.0"
APP_NAME = "Report Capture"
APP_ID = "report-capture"
