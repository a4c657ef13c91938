"""Where the app keeps its data and reads its configuration.

``REPORT_CAPTURE_HOME`` puts everything of the agent's (data, own settings) under one folder:
used by tests and by portable installs. ``REPORT_CAPTURE_SYSTEM_CONFIG`` names the organisation
file explicitly (otherwise the platform's system configuration location is used).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NamedTuple

from capture_app import APP_ID

HOME_ENV = "REPORT_CAPTURE_HOME"
SYSTEM_CONFIG_ENV = "REPORT_CAPTURE_SYSTEM_CONFIG"
CONFIG_FILE_NAME = "config.toml"


class AppPaths(NamedTuple):
    """The agent's folders and the organisation's file (immutable)."""

    data_dir: Path
    config_dir: Path
    system_config_file: Path

    @property
    def user_config_file(self) -> Path:
        return self.config_dir / CONFIG_FILE_NAME

    @property
    def drafts_db(self) -> Path:
        return self.data_dir / "reports.sqlite3"

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    @property
    def quarantine_dir(self) -> Path:
        """Files that could not be read are moved here, never deleted."""
        return self.data_dir / "set-aside"

    @property
    def cache_dir(self) -> Path:
        """Derived data that can be thrown away at any time (parsed resource files)."""
        return self.data_dir / "cache"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"


def system_config_location() -> Path:
    """The organisation-managed file (placed by an installer or Group Policy)."""
    explicit = os.environ.get(SYSTEM_CONFIG_ENV)
    if explicit:
        return Path(explicit)
    if sys.platform == "win32":
        base = Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData"))
        return base / "ReportCapture" / CONFIG_FILE_NAME
    if sys.platform == "darwin":
        return Path("/Library/Application Support/ReportCapture") / CONFIG_FILE_NAME
    return Path("/etc") / APP_ID / CONFIG_FILE_NAME


def default_paths() -> AppPaths:
    home = os.environ.get(HOME_ENV)
    if home:
        root = Path(home)
        return AppPaths(root / "data", root / "config", system_config_location())
    import platformdirs

    return AppPaths(
        Path(platformdirs.user_data_dir("ReportCapture", appauthor=False)),
        Path(platformdirs.user_config_dir("ReportCapture", appauthor=False)),
        system_config_location(),
    )
