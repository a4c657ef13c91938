"""The supported-browser check, the advisor side from probes, exclusions, and what the report shows."""
from __future__ import annotations

import pytest
from factories import second_level_report

from capture_app.core.environment import browser_support as bs
from capture_app.core.environment.system_info import (
    apply_collection,
    remember_exclusions,
    remembered_exclusions,
)
from capture_app.core.platform.config import Config
from capture_app.core.report.model import SUPPORT_STATUSES
from capture_app.core.sending.render import render_text


@pytest.fixture(scope="module")
def shipped():
    return bs.load_support_list()


@pytest.mark.parametrize("browser, version, os_name, status", [
    ("Chrome", "131.0.6778.86", "Windows 11 Pro", bs.SUPPORTED),
    ("Google Chrome", "129", "Windows", bs.OUTDATED),
    ("Firefox", "128.5.1esr", "Debian GNU/Linux", bs.SUPPORTED),
    ("Firefox", "115.18.0esr", "Linux", bs.OUTDATED),
    ("Safari", "17.5", "iPadOS", bs.SUPPORTED),
    ("Safari", "16.6", "macOS", bs.OUTDATED),
    ("Safari", "5.34.57.2", "Windows 10 Pro", bs.UNSUPPORTED_PLATFORM),
    ("Samsung Internet", "26.0", "Android", bs.SUPPORTED),
    ("Brave", "131.1.73.97", "Windows", bs.UNSUPPORTED_BROWSER),
    ("Edge", "", "Windows", bs.UNCHECKED),
    ("", "", "", bs.UNCHECKED),
])
def test_verdicts_against_the_shipped_list(shipped, browser, version, os_name, status):
    verdict = bs.check(shipped, browser, version, os_name)
    assert verdict.status == status
    assert verdict.status in SUPPORT_STATUSES
    if verdict.is_warning:
        assert "⟦" not in verdict.message.render("de") and "⟦" not in verdict.message.render("en")


def test_messages_name_browser_reason_and_next_step(shipped):
    outdated = bs.check(shipped, "Chrome", "129.0.6668.100", "Windows").message.render("de")
    assert outdated == ("Chrome 129.0.6668.100 ist veraltet: unterstützt ab Version 130. "
                        "Bitte den Browser aktualisieren und erneut versuchen.")
    platform = bs.check(shipped, "Safari", "5.1.7", "Windows").message.render("de")
    assert platform == "Safari wird auf Windows nicht unterstützt. Unterstützt auf Windows: Chrome, Edge, Firefox."
    in_app = bs.check(shipped, "Instagram", "351.0", "iOS", in_app=True)
    assert in_app.status == bs.IN_APP and "Safari, Chrome oder Edge" in in_app.message.render("de")


def test_an_organisation_list_replaces_the_shipped_one(tmp_path):
    own = tmp_path / "browsers.toml"
    own.write_text('[[browser]]\nname = "Edge"\nmin_version = "131.0.2903"\nplatforms = ["Windows"]\n')
    support = bs.load_support_list(own)
    assert bs.check(support, "Edge", "131.0.2903.70", "Windows").status == bs.SUPPORTED
    assert bs.check(support, "Edge", "131.0.2800.1", "Windows").status == bs.OUTDATED
    assert bs.check(support, "Chrome", "140", "Windows").status == bs.UNSUPPORTED_BROWSER


@pytest.mark.parametrize("content, key", [
    ("this is = not toml [", "file_invalid"),
    ("title = 'no browsers'\n", "no_entries"),
    ('[[browser]]\nname = "Chrome"\nmin_version = "neu"\nplatforms = ["Windows"]\n', "bad_entry"),
    ('[[browser]]\nname = "Chrome"\nmin_version = "130"\nplatforms = ["Windoof"]\n', "bad_entry"),
])
def test_a_broken_list_is_refused_with_file_and_reason(tmp_path, content, key):
    own = tmp_path / "browsers.toml"
    own.write_text(content)
    with pytest.raises(bs.SupportListError) as caught:
        bs.load_support_list(own)
    assert caught.value.key == key
    assert str(own) in caught.value.message("de") and "mitgelieferte Liste" in caught.value.message("de")
    with pytest.raises(bs.SupportListError):
        bs.load_support_list(tmp_path / "missing.toml")


def test_the_report_shows_the_check_and_system_facts_with_labels():
    report = second_level_report()
    report.advisor_environment.support_status = bs.OUTDATED
    report.advisor_environment.support_note = "Chrome 129 ist veraltet: unterstützt ab Version 130."
    apply_collection(report, {"os.name": "Windows 11 Pro", "network.stun": "nicht geprüft"},
                     remembered=["network.stun", "cpu.model"])
    assert report.system.excluded == ["network.stun"]  # only fields that were collected
    text = render_text(report, "de")
    assert "Browser-Prüfung: Chrome 129 ist veraltet: unterstützt ab Version 130." in text
    assert "Betriebssystem: Windows 11 Pro" in text
    assert "UDP für Video (STUN)" in text and "nicht geprüft" not in text  # named as withheld, value not sent


def test_exclusions_are_remembered_as_the_agents_preference(app_paths):
    config = Config.load(app_paths)
    remember_exclusions(config, {"network.stun", "devices.cameras"})
    assert remembered_exclusions(Config.load(app_paths)) == {"network.stun", "devices.cameras"}


def test_an_organisation_can_lock_exclusions(app_paths):
    app_paths.system_config_file.parent.mkdir(parents=True, exist_ok=True)
    app_paths.system_config_file.write_text(
        'locked = ["system_info.excluded"]\n\n[system_info]\nexcluded = ["locale.languages"]\n')
    config = Config.load(app_paths)
    assert remembered_exclusions(config) == {"locale.languages"}
    from capture_app.core.platform.config import ConfigError
    with pytest.raises(ConfigError):
        remember_exclusions(config, set())
