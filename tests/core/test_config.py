"""Settings: defaults, the three layers, locking, bad files, saving, and the texts about them."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from permissions import needs_permissions

from capture_app.core.platform import i18n
from capture_app.core.platform.config import (
    AGENT,
    DEFAULT,
    ERROR,
    NOTICE,
    ORGANISATION,
    TYPES,
    WARNING,
    Config,
    ConfigError,
    ConfigProblem,
    Setting,
    check_file,
    dumps,
    settings_table,
)
from capture_app.core.platform.tomlcompat import tomllib


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def org_file(app_paths) -> Path:
    return app_paths.system_config_file


@pytest.fixture
def agent_file(app_paths) -> Path:
    return app_paths.user_config_file


def only(problems: list[ConfigProblem], message_key: str) -> ConfigProblem:
    found = [p for p in problems if p.message_key == message_key]
    assert len(found) == 1, [p.message_key for p in problems]
    return found[0]


# --- Declarations and defaults ----------------------------------------------------------------


def test_defaults_are_flexpertos_support_structure(app_paths):
    config = Config.load(app_paths)

    assert config.problems == []
    assert config.get("support.name") == "Flexperto 2nd-Level-Support"
    assert config.get("support.email") == "support@flexperto.com"
    assert config.get("support.phone") == "+49 30 2206623 33"
    assert config.get("support.timezone") == "Europe/Berlin"
    assert config.get("support.days") == ["mon", "tue", "wed", "thu", "fri"]
    assert config.get("support.opens") == "09:00"
    assert config.get("support.closes") == "18:00"
    assert config.get("ui.language") == "de"
    assert config.get("limits.max_file_mb") == 25
    assert config.get("limits.max_total_mb") == 25
    assert config.get("limits.max_image_pixels") == 100_000_000
    assert config.get("drafts.autosave_delay_ms") == 400
    assert config.get("export.folder") == ""
    for key in ("reporter.name", "reporter.email", "project_lead.phone", "flexperto.instance_url"):
        assert config.get(key) == ""
    assert {config.source(key) for key in settings_table()} == {DEFAULT}


def test_every_setting_is_declared_with_type_default_and_both_descriptions():
    table = settings_table()
    assert len(table) >= 21
    for key, setting in table.items():
        assert setting.type in TYPES, key
        assert setting.is_valid(setting.default), key
        for text in (setting.description_de, setting.description_en, setting.label_de, setting.label_en):
            assert text.strip(), key
        assert setting.description("en") == setting.description_en
        assert setting.description("de") == setting.description_de
        assert setting.description_de != setting.description_en, key
        expected = setting.expected()
        for language in i18n.LANGUAGES:
            assert "⟦" not in expected.render(language), (key, language)


def test_language_choices_are_the_languages_the_ui_ships():
    assert set(settings_table()["ui.language"].choices) == set(i18n.LANGUAGES)


def test_config_module_does_not_load_qt():
    code = "import sys, capture_app.core.platform.config as c; c.Config.load(); print('PySide6' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# --- Layers and locking -----------------------------------------------------------------------


def test_agent_file_overrides_organisation_which_overrides_defaults(app_paths, org_file, agent_file):
    write(org_file, '[support]\nphone = "+49 40 111111"\n\n[reporter]\norganisation = "Musterbank AG"\n')
    write(agent_file, '[reporter]\norganisation = "Musterbank Filiale Nord"\nname = "Erika Muster"\n')

    config = Config.load(app_paths)

    assert config.problems == []
    assert (config.get("support.phone"), config.source("support.phone")) == ("+49 40 111111", ORGANISATION)
    assert config.get("reporter.organisation") == "Musterbank Filiale Nord"
    assert config.source("reporter.organisation") == AGENT
    assert (config.get("reporter.name"), config.source("reporter.name")) == ("Erika Muster", AGENT)
    assert (config.get("support.email"), config.source("support.email")) == ("support@flexperto.com", DEFAULT)


def test_locked_key_in_agent_file_is_ignored_with_a_notice(app_paths, org_file, agent_file):
    write(org_file, 'locked = ["support.email", "support.phone"]\n\n[support]\nphone = "+49 40 111111"\n')
    write(agent_file, '# mine\n[support]\nemail = "me@example.com"\nphone = "+49 30 999"\n')

    config = Config.load(app_paths)

    assert config.is_locked("support.email") and config.is_locked("support.phone")
    assert not config.is_locked("reporter.name")
    # Locked without a value in the organisation file: the default stays.
    assert (config.get("support.email"), config.source("support.email")) == ("support@flexperto.com", DEFAULT)
    assert (config.get("support.phone"), config.source("support.phone")) == ("+49 40 111111", ORGANISATION)
    notices = [p for p in config.problems if p.message_key == "config.locked_ignored"]
    assert {(p.key, p.line, p.level, p.file) for p in notices} == {
        ("support.email", 3, NOTICE, agent_file),
        ("support.phone", 4, NOTICE, agent_file),
    }
    text = next(p for p in notices if p.key == "support.phone").message()
    assert "Organisation" in text and '"+49 40 111111"' in text and "Zeile 4" in text


def test_a_whole_section_can_be_locked(app_paths, org_file, agent_file):
    write(org_file, 'locked = ["limits"]\n')
    write(agent_file, "[limits]\nmax_file_mb = 10\n")

    config = Config.load(app_paths)

    assert config.get("limits.max_file_mb") == 25
    assert all(config.is_locked(key) for key in settings_table() if key.startswith("limits."))
    assert not config.is_locked("support.phone")


def test_set_user_refuses_a_locked_key_and_writes_nothing(app_paths, org_file, agent_file):
    write(org_file, 'locked = ["support.email"]\n')
    original = write(agent_file, '[reporter]\nname = "Erika"\n').read_bytes()
    config = Config.load(app_paths)

    with pytest.raises(ConfigError) as raised:
        config.set_user("support.email", "other@example.com")

    assert raised.value.message_key == "config.set_locked"
    assert "support.email" in raised.value.message() and "IT" in raised.value.message()
    assert agent_file.read_bytes() == original
    assert config.get("support.email") == "support@flexperto.com"


def test_locked_written_inside_a_section_is_reported_as_having_no_effect(app_paths, org_file, agent_file):
    write(org_file, '[support]\nphone = "+49 40 111111"\nlocked = ["support.phone"]\n')
    write(agent_file, '[support]\nphone = "+49 30 999"\n')

    config = Config.load(app_paths)

    problem = only(config.problems, "config.locked_misplaced")
    assert (problem.line, problem.level, problem.file) == (3, ERROR, org_file)
    assert "[support]" in problem.message()
    assert not config.is_locked("support.phone")
    assert config.get("support.phone") == "+49 30 999"


def test_invalid_locked_list_locks_nothing_and_says_so(app_paths, org_file):
    write(org_file, 'locked = "support.email"\n')
    config = Config.load(app_paths)
    problem = only(config.problems, "config.locked_invalid")
    assert problem.line == 1 and problem.level == ERROR
    assert not config.locked


def test_unknown_name_in_locked_suggests_the_right_one(app_paths, org_file):
    write(org_file, 'locked = ["support.emial", "support.phone"]\n')
    config = Config.load(app_paths)
    problem = only(config.problems, "config.locked_unknown")
    assert problem.params["suggestion"] == "support.email"
    assert config.locked == {"support.phone"}


def test_locked_in_the_agents_own_file_has_no_effect(app_paths, agent_file):
    write(agent_file, 'locked = ["reporter.name"]\n')
    config = Config.load(app_paths)
    problem = only(config.problems, "config.locked_in_agent_file")
    assert problem.level == WARNING and problem.line == 1
    assert not config.locked
    config.set_user("reporter.name", "Erika")
    assert config.get("reporter.name") == "Erika"


# --- Bad files ----------------------------------------------------------------------------------


def test_malformed_organisation_file_is_skipped_with_file_and_line(app_paths, org_file, agent_file):
    bad = '[support]\nphone = "+49 40 111111"\nemail = support@example.com\n'
    write(org_file, bad)
    write(agent_file, '[reporter]\nname = "Erika"\n')

    config = Config.load(app_paths)

    problem = only(config.problems, "config.syntax_error")
    assert (problem.file, problem.line, problem.level, problem.layer) == (org_file, 3, ERROR, ORGANISATION)
    text = problem.message()
    assert str(org_file) in text and "Zeile 3" in text and "IT" in text
    # The whole organisation layer is skipped, the agent's layer still applies.
    assert config.get("support.phone") == "+49 30 2206623 33"
    assert config.get("reporter.name") == "Erika"
    assert org_file.read_text(encoding="utf-8") == bad


def test_malformed_agent_file_leaves_organisation_values_in_force(app_paths, org_file, agent_file):
    write(org_file, '[support]\nphone = "+49 40 111111"\n')
    write(agent_file, '[reporter]\nname = "Erika\n')

    config = Config.load(app_paths)

    problem = only(config.problems, "config.syntax_error")
    assert (problem.file, problem.line, problem.layer) == (agent_file, 2, AGENT)
    assert config.get("support.phone") == "+49 40 111111"
    assert config.get("reporter.name") == ""


def test_error_noticed_only_at_the_end_does_not_blame_the_last_line(app_paths, agent_file):
    write(agent_file, '[reporter]\nname = "Erika"\n\n[support]\ndays = ["mon",\n  "tue",\n')
    problem = only(Config.load(app_paths).problems, "config.syntax_error_end")
    assert problem.line is None
    assert "Klammer" in problem.message() and "Zeile" not in problem.message()


def test_bad_values_fall_back_per_key_and_name_their_line(app_paths, org_file, agent_file):
    write(org_file, '[limits]\nmax_file_mb = 10\n')
    write(
        agent_file,
        "[ui]\n"
        'language = "fr"\n'
        "\n"
        "[support]\n"
        'opens = "25:00"\n'
        'timezone = "Mars/Olympus"\n'
        'email = "support at example.com"\n'
        "\n"
        "[limits]\n"
        "max_file_mb = -5\n"
        "max_total_mb = 20\n"
        "\n"
        "[reporter]\n"
        'name = "Erika Muster"\n',
    )

    config = Config.load(app_paths)

    invalid = {p.key: p for p in config.problems if p.message_key == "config.invalid_value"}
    assert {key: p.line for key, p in invalid.items()} == {
        "ui.language": 2,
        "support.opens": 5,
        "support.timezone": 6,
        "support.email": 7,
        "limits.max_file_mb": 10,
    }
    assert all(p.file == agent_file and p.level == ERROR for p in invalid.values())
    # Each bad key falls back to the layer below; the good keys of the same file apply.
    assert config.get("ui.language") == "de"
    assert config.get("support.opens") == "09:00"
    assert config.get("support.timezone") == "Europe/Berlin"
    assert config.get("support.email") == "support@flexperto.com"
    assert (config.get("limits.max_file_mb"), config.source("limits.max_file_mb")) == (10, ORGANISATION)
    assert config.get("limits.max_total_mb") == 20
    assert config.get("reporter.name") == "Erika Muster"

    opens = invalid["support.opens"].message()
    assert '"25:00"' in opens and "HH:MM" in opens and "Zeile 5" in opens and '"09:00"' in opens
    size = invalid["limits.max_file_mb"].message()
    assert "-5" in size and "ganze Zahl von 1 bis 2048" in size and "10" in size
    assert '"de", "en"' in invalid["ui.language"].message()
    assert "Europe/Berlin" in invalid["support.timezone"].message()


def test_wrong_type_is_a_bad_value_not_a_crash(app_paths, agent_file):
    write(
        agent_file,
        '[limits]\nmax_file_mb = "25"\n[support]\ndays = ["mon", "funday"]\n[support.phone]\nx = 1\n',
    )
    config = Config.load(app_paths)
    lines = {p.key: p.line for p in config.problems if p.message_key == "config.invalid_value"}
    assert lines == {"limits.max_file_mb": 2, "support.days": 4, "support.phone": 5}
    assert config.get("limits.max_file_mb") == 25
    assert config.get("support.days") == ["mon", "tue", "wed", "thu", "fri"]


def test_toml_time_values_are_accepted_as_hh_mm(app_paths, agent_file):
    write(agent_file, "[support]\nopens = 08:30:00\n")
    config = Config.load(app_paths)
    assert config.problems == []
    assert config.get("support.opens") == "08:30"


def test_support_must_open_before_it_closes(app_paths, org_file, agent_file):
    write(org_file, '[support]\ncloses = "17:00"\n')
    write(agent_file, '[support]\nopens = "17:30"\n')

    config = Config.load(app_paths)

    problem = only(config.problems, "config.hours_order")
    assert (problem.file, problem.line, problem.key) == (agent_file, 2, "support.opens")
    assert (config.get("support.opens"), config.get("support.closes")) == ("09:00", "17:00")
    assert '"17:30"' in problem.message() and '"09:00"' in problem.message()


def test_unknown_keys_warn_and_suggest_the_closest_known_key(app_paths, agent_file):
    write(agent_file, '[suport]\nphone = "+49 30 999"\n\n[support]\nphon = "+49 30 888"\nfoo_bar_baz = 1\n')

    config = Config.load(app_paths)

    unknown = {p.key: p for p in config.problems if p.message_key == "config.unknown_key"}
    assert unknown["suport.phone"].params["suggestion"] == "support.phone"
    assert unknown["suport.phone"].line == 2
    assert unknown["support.phon"].params["suggestion"] == "support.phone"
    assert unknown["support.phon"].line == 5
    assert all(p.level == WARNING for p in unknown.values())
    assert "Meinten Sie ‚support.phone‘?" in unknown["support.phon"].message()
    assert only(config.problems, "config.unknown_key_no_suggestion").key == "support.foo_bar_baz"
    assert config.get("support.phone") == "+49 30 2206623 33"


def test_file_not_in_utf8_is_skipped_with_the_line_of_the_bad_character(app_paths, org_file, agent_file):
    write(org_file, '[reporter]\norganisation = "Musterbank"\n')
    raw = '[reporter]\nname = "Jürgen Müller"\n'.encode("latin-1")
    agent_file.parent.mkdir(parents=True, exist_ok=True)
    agent_file.write_bytes(raw)

    config = Config.load(app_paths)

    problem = only(config.problems, "config.not_utf8")
    assert (problem.file, problem.line) == (agent_file, 2)
    assert "UTF-8" in problem.message()
    assert config.get("reporter.organisation") == "Musterbank"
    assert config.get("reporter.name") == ""
    assert agent_file.read_bytes() == raw


def test_byte_order_mark_from_windows_editors_is_accepted(app_paths, org_file):
    org_file.parent.mkdir(parents=True, exist_ok=True)
    org_file.write_bytes('[support]\nphone = "+49 40 111111"\n'.encode("utf-8-sig"))
    config = Config.load(app_paths)
    assert config.problems == []
    assert config.get("support.phone") == "+49 40 111111"


def test_unreadable_file_is_reported_and_skipped(app_paths, agent_file):
    agent_file.mkdir(parents=True)  # a folder where the file should be
    config = Config.load(app_paths)
    problem = only(config.problems, "config.unreadable")
    assert problem.file == agent_file
    assert str(agent_file) in problem.message()
    assert config.get("support.phone") == "+49 30 2206623 33"


@needs_permissions
def test_file_without_read_permission_is_reported(app_paths, agent_file):
    write(agent_file, '[reporter]\nname = "Erika"\n').chmod(0)
    try:
        problem = only(Config.load(app_paths).problems, "config.unreadable")
    finally:
        agent_file.chmod(0o600)
    assert problem.file == agent_file


def test_check_file_validates_one_file_on_its_own(tmp_path):
    path = write(tmp_path / "rollout.toml", 'locked = ["support.emial"]\n[support]\nopens = "9"\n')

    problems = check_file(path)

    assert {(p.message_key, p.line) for p in problems} == {
        ("config.locked_unknown", 1),
        ("config.invalid_value", 3),
    }
    assert check_file(write(tmp_path / "ok.toml", '[support]\nphone = "+49 40 1"\n')) == []
    missing = check_file(tmp_path / "nope.toml")
    assert [p.message_key for p in missing] == ["config.missing_file"]


# --- Saving the agent's settings ----------------------------------------------------------------


def test_set_user_round_trip(app_paths, org_file, agent_file):
    write(org_file, '[support]\nphone = "+49 40 111111"\n')
    write(agent_file, '[reporter]\nname = "Erika"\n\n[something_else]\nkept = [1, 2]\n')
    config = Config.load(app_paths)
    tricky = 'Jürgen "JJ" Müller \\ Team Nord € \'s'

    config.set_user("reporter.organisation", tricky)
    config.set_user("limits.max_file_mb", 12)
    config.set_user("support.days", ["mon", "wed"])
    config.set_user("support.opens", "08:15")
    config.set_user("ui.language", "en")

    assert config.get("reporter.organisation") == tricky
    assert config.source("support.opens") == AGENT
    reloaded = Config.load(app_paths)
    assert reloaded.get("reporter.organisation") == tricky
    assert reloaded.get("reporter.name") == "Erika"
    assert reloaded.get("limits.max_file_mb") == 12
    assert reloaded.get("support.days") == ["mon", "wed"]
    assert reloaded.get("support.opens") == "08:15"
    assert reloaded.get("ui.language") == "en"
    assert reloaded.get("support.phone") == "+49 40 111111"
    data = tomllib.loads(agent_file.read_text(encoding="utf-8"))
    assert data["something_else"] == {"kept": [1, 2]}  # what the app does not know is kept
    assert data["support"]["opens"] == "08:15"  # nested form, like a person would write it
    assert org_file.read_text(encoding="utf-8") == '[support]\nphone = "+49 40 111111"\n'


def test_reset_user_brings_back_the_lower_layer(app_paths, org_file, agent_file):
    write(org_file, '[support]\nphone = "+49 40 111111"\n')
    config = Config.load(app_paths)
    config.set_user("support.phone", "+49 30 999")
    assert config.get("support.phone") == "+49 30 999"

    config.reset_user("support.phone")

    assert (config.get("support.phone"), config.source("support.phone")) == ("+49 40 111111", ORGANISATION)
    assert "support" not in tomllib.loads(agent_file.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("support.opens", "25:00"),
        ("support.timezone", "Europe/Berlinn"),
        ("ui.language", "fr"),
        ("limits.max_total_mb", 0),
        ("limits.max_total_mb", True),
        ("reporter.email", "erika@"),
        ("reporter.name", "Erika\nBcc: x@example.com"),
        ("support.days", []),
    ],
)
def test_set_user_rejects_invalid_values_and_keeps_the_file(app_paths, agent_file, key, value):
    original = write(agent_file, '[reporter]\nname = "Erika"\n').read_bytes()
    config = Config.load(app_paths)
    before = config.get(key)

    with pytest.raises(ConfigError) as raised:
        config.set_user(key, value)

    assert raised.value.message_key == "config.set_invalid"
    assert key in raised.value.message() and "nichts gespeichert" in raised.value.message()
    assert agent_file.read_bytes() == original
    assert config.get(key) == before


def test_set_user_refuses_hours_that_close_before_they_open(app_paths, agent_file):
    config = Config.load(app_paths)
    with pytest.raises(ConfigError) as raised:
        config.set_user("support.opens", "19:00")
    assert raised.value.message_key == "config.set_hours_order"
    assert '"19:00"' in raised.value.message() and '"18:00"' in raised.value.message()
    assert not agent_file.exists()
    config.set_user("support.closes", "22:00")
    config.set_user("support.opens", "19:00")
    assert (config.get("support.opens"), config.get("support.closes")) == ("19:00", "22:00")
    assert config.problems == []


def test_set_user_does_not_overwrite_a_broken_agent_file(app_paths, agent_file):
    broken = '[reporter]\nname = "Erika\n# notes the agent wants to keep\n'
    write(agent_file, broken)
    config = Config.load(app_paths)

    with pytest.raises(ConfigError) as raised:
        config.set_user("reporter.phone", "+49 30 1234")

    assert raised.value.message_key == "config.set_file_broken"
    assert "Zeile 2" in raised.value.message()
    assert agent_file.read_text(encoding="utf-8") == broken


def test_failed_write_leaves_the_previous_file_intact(app_paths, agent_file, monkeypatch):
    from capture_app.core.platform import fsutil

    original = write(agent_file, '[reporter]\nname = "Erika"\n').read_bytes()
    config = Config.load(app_paths)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    # The real atomic write, failing at its final rename as on a full or vanished disk.
    monkeypatch.setattr(fsutil.os, "replace", disk_full)
    with pytest.raises(ConfigError) as raised:
        config.set_user("reporter.name", "Max")
    monkeypatch.undo()

    assert raised.value.message_key == "config.write_failed"
    assert "No space left on device" in raised.value.message()
    assert agent_file.read_bytes() == original
    assert config.get("reporter.name") == "Erika"
    assert sorted(p.name for p in agent_file.parent.iterdir()) == [agent_file.name]


def test_writer_output_reads_back_identically():
    data = {
        "top": "x",
        "reporter": {"name": 'a "b" \\ c\n\u0001\u007f ü €', "n": -3, "f": 1.5, "ok": True},
        "weird key": {"inner": {"list": ["a", "b"], "inline": [{"k": 1}]}},
        "empty": {},
    }
    assert tomllib.loads(dumps(data)) == data


# --- Texts -----------------------------------------------------------------------------------


def test_catalogues_have_the_same_keys_and_placeholders():
    german = {k: v for k, v in i18n.catalogue("de").items() if k.startswith("config.")}
    english = {k: v for k, v in i18n.catalogue("en").items() if k.startswith("config.")}
    assert german.keys() == english.keys()
    for key in german:
        assert i18n.placeholders(german[key]) == i18n.placeholders(english[key]), key


def test_messages_switch_language(app_paths, org_file):
    write(org_file, '[support]\nopens = "25:00"\n')
    problem = only(Config.load(app_paths).problems, "config.invalid_value")

    german = problem.message()
    english = problem.message(language="en")

    assert "Zeile 2" in german and "IT" in german
    assert "line 2" in english and "IT department" in english and "expected is a time" in english
    assert str(org_file) in english
    i18n.set_language("en")
    assert problem.message() == english
    for text in (german, english):
        assert "⟦" not in text and "{" not in text


def test_every_problem_text_is_complete_in_both_languages(app_paths, org_file, agent_file):
    write(org_file, 'locked = ["support.emial", "support.email"]\n[support]\ncloses = "08:00"\nfoo = 1\n')
    write(agent_file, 'locked = []\n[support]\nemail = "x@example.com"\nopens = "x"\n')
    problems = Config.load(app_paths).problems
    assert len(problems) >= 5
    for problem in problems:
        for language in i18n.LANGUAGES:
            text = problem.message(language=language)
            assert "⟦" not in text and "{" not in text, (problem.message_key, language)


def test_setting_of_type_float_and_bool_validate():
    ratio = Setting("x.ratio", "float", 0.5, "a", "a", "d", "e", min=0, max=1)
    flag = Setting("x.flag", "bool", True, "a", "a", "d", "e")
    assert ratio.validate(1) == 1.0 and isinstance(ratio.validate(1), float)
    assert not ratio.is_valid(1.5) and not ratio.is_valid(float("nan")) and not ratio.is_valid("0.5")
    assert flag.validate(False) is False and not flag.is_valid(0)
    assert "0 bis 1" in ratio.expected().render("de")


def test_key_written_outside_its_section_gets_the_full_name_suggested(app_paths, agent_file):
    write(agent_file, "max_file_mb = 10\nphone = \"+49 30 1\"\n")
    problems = Config.load(app_paths).problems
    assert only(problems, "config.unknown_key").params["suggestion"] == "limits.max_file_mb"
    # "phone" could be three settings: no guess rather than a wrong one.
    assert only(problems, "config.unknown_key_no_suggestion").key == "phone"
