"""The "Problem melden" key combination as a setting: what is accepted, how it is shown, and
that the organisation can set and lock it."""
from __future__ import annotations

from pathlib import Path

import pytest

from capture_app.core.platform.config import Config, ConfigError, settings_table
from capture_app.core.platform.hotkeys import parse_hotkey


@pytest.mark.parametrize("text,canonical", [
    ("Ctrl+Alt+P", "Ctrl+Alt+P"),
    ("ctrl + alt + p", "Ctrl+Alt+P"),
    ("Strg+Umschalt+1", "Ctrl+Shift+1"),
    ("Alt+Ctrl+P", "Ctrl+Alt+P"),
    ("Win+F9", "Meta+F9"),
    ("F9", "F9"),
    ("Shift+F12", "Shift+F12"),
])
def test_combinations_the_app_can_register(text, canonical):
    hotkey = parse_hotkey(text)
    assert hotkey is not None and hotkey.text() == canonical


@pytest.mark.parametrize("text", [
    "P",  # a plain letter would be taken from every program the agent types in
    "Shift+P",
    "Ctrl+Ctrl+P",
    "Ctrl+Alt+",
    "Ctrl+Alt+Ä",
    "Ctrl+Alt+PP",
    "Hyper+P",
    "F25",
    "",
])
def test_combinations_that_are_refused(text):
    assert parse_hotkey(text) is None


def test_shown_as_the_keyboard_names_the_keys():
    hotkey = parse_hotkey("Ctrl+Shift+Alt+P")
    assert hotkey is not None
    assert hotkey.shown("de") == "Strg+Alt+Umschalt+P"
    assert hotkey.shown("en") == "Ctrl+Alt+Shift+P"


def test_the_default_is_ctrl_alt_p_and_is_valid(app_paths):
    setting = settings_table()["hotkey.report"]
    assert setting.default == "Ctrl+Alt+P"
    assert Config.load(app_paths).get("hotkey.report") == "Ctrl+Alt+P"


def test_the_agent_can_change_it_only_to_a_valid_combination_or_switch_it_off(app_paths):
    config = Config.load(app_paths)
    with pytest.raises(ConfigError) as refused:
        config.set_user("hotkey.report", "P")
    assert "Ctrl+Alt+P" in refused.value.message("de")  # says what a valid one looks like
    assert config.get("hotkey.report") == "Ctrl+Alt+P"
    config.set_user("hotkey.report", "Ctrl+Shift+F9")
    assert Config.load(app_paths).get("hotkey.report") == "Ctrl+Shift+F9"
    config.set_user("hotkey.report", "")
    assert Config.load(app_paths).get("hotkey.report") == ""


def test_the_organisation_can_set_and_lock_it(app_paths):
    org = Path(app_paths.system_config_file)
    org.parent.mkdir(parents=True, exist_ok=True)
    org.write_text('locked = ["hotkey"]\n\n[hotkey]\nreport = "Ctrl+Alt+M"\n', encoding="utf-8")
    config = Config.load(app_paths)
    assert config.get("hotkey.report") == "Ctrl+Alt+M"
    assert config.is_locked("hotkey.report")
    with pytest.raises(ConfigError):
        config.set_user("hotkey.report", "Ctrl+Alt+P")
