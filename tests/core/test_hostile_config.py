"""Configuration files built to hurt: thousands of unknown keys, absurdly long values, huge
files. The app starts quickly, says what is wrong, and keeps no copies of the junk."""
from __future__ import annotations

import pytest

from capture_app.core.platform import tomlcache
from capture_app.core.platform.config import Config, ConfigError, find_line


@pytest.fixture
def cache_dir(app_paths, monkeypatch):
    monkeypatch.setattr(tomlcache, "_cache_dir", app_paths.cache_dir)  # restored afterwards
    return app_paths.cache_dir


def _write_agent_file(app_paths, text: str) -> None:
    app_paths.user_config_file.parent.mkdir(parents=True, exist_ok=True)
    app_paths.user_config_file.write_text(text, encoding="utf-8")


@pytest.mark.timeout(60)
def test_a_file_with_thousands_of_unknown_keys_is_read_quickly_and_summarised(app_paths, cache_dir):
    lines = ["[reporter]", 'name = "Erika Muster"', "[zeug]"]
    lines += [f"schluessel_{n} = {n}" for n in range(40_000)]
    _write_agent_file(app_paths, "\n".join(lines) + "\n")
    config = Config.load(app_paths)
    assert config.get("reporter.name") == "Erika Muster"
    unknown = [p for p in config.problems if p.message_key.startswith("config.unknown_key")]
    assert 1 <= len(unknown) <= 25
    assert unknown[0].line == 4
    more = [p.message("de") for p in config.problems if p.message_key == "config.unknown_keys_more"]
    assert len(more) == 1 and "39980 weitere" in more[0]


@pytest.mark.timeout(60)
def test_find_line_is_linear_for_many_lookups():
    text = "\n".join(f"k{n} = {n}" for n in range(30_000))
    assert [find_line(text, f"k{n}") for n in range(0, 30_000, 1)][-1] == 30_000


def test_an_absurdly_long_value_is_refused_with_its_limit(app_paths):
    config = Config.load(app_paths)
    with pytest.raises(ConfigError) as caught:
        config.set_user("reporter.organisation", "Sparkasse " * 50_000)
    message = caught.value.message("de")
    assert "zu lang" in message and "Zeichen" in message and "Sparkasse Sparkasse" not in message[:40]
    assert not app_paths.user_config_file.exists()


def test_a_long_value_in_the_file_is_ignored_with_a_specific_message(app_paths, cache_dir):
    _write_agent_file(app_paths, f'[reporter]\norganisation = "{"A" * 5000}"\n')
    config = Config.load(app_paths)
    assert config.get("reporter.organisation") == ""
    problem = next(p for p in config.problems if p.key == "reporter.organisation")
    assert "zu lang" in problem.message("de")


def test_a_huge_file_is_not_parsed_and_leaves_no_copies_in_the_cache(app_paths, cache_dir):
    _write_agent_file(app_paths, f'[reporter]\norganisation = "{"A" * 12_000_000}"\n')
    config = Config.load(app_paths)
    assert config.get("reporter.organisation") == ""
    problem = next(p for p in config.problems if p.message_key == "config.too_large")
    assert "MB" in problem.message("de")
    cached = sum(p.stat().st_size for p in cache_dir.rglob("*") if p.is_file()) if cache_dir.exists() else 0
    assert cached < 1024 * 1024


@pytest.mark.parametrize("text", [
    "a" + ".a" * 5000 + " = 1\n",
    "x = " + "[" * 5000 + "]" * 5000 + "\n",
    "x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n",
])
def test_absurd_nesting_is_named_and_the_app_starts(app_paths, cache_dir, text):
    _write_agent_file(app_paths, '[reporter]\nname = "Erika"\n' + text)
    config = Config.load(app_paths)
    assert config.get("reporter.name") == ""
    problem = next(p for p in config.problems if p.message_key == "config.too_deep")
    assert "verschachtelt" in problem.message("de")


@pytest.mark.timeout(30)
def test_a_dotted_key_of_a_huge_depth_is_refused_before_parsing(app_paths):
    _write_agent_file(app_paths, "a" + ".a" * 60_000 + " = 1\n")
    config = Config.load(app_paths)
    assert [p.message_key for p in config.problems] == ["config.too_deep"]
