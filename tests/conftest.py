"""Shared fixtures: every test gets its own data and config folders, never the agent's real ones."""
from __future__ import annotations

from pathlib import Path

import pytest

from capture_app.core.platform import i18n
from capture_app.core.platform.paths import HOME_ENV, SYSTEM_CONFIG_ENV, AppPaths, default_paths


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv(HOME_ENV, str(home))
    monkeypatch.setenv(SYSTEM_CONFIG_ENV, str(home / "system" / "config.toml"))
    i18n.set_language("de")
    yield home
    i18n.set_language("de")


@pytest.fixture
def app_paths(isolated_home) -> AppPaths:
    return default_paths()
