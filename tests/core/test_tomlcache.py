"""The parsed-TOML cache only ever returns what the current text says."""
from __future__ import annotations

import pytest

from capture_app.core.platform import tomlcache


@pytest.fixture
def cache_dir(tmp_path):
    tomlcache.set_cache_dir(tmp_path / "cache")
    yield tmp_path / "cache"
    tomlcache.set_cache_dir(None)


def test_a_cached_copy_is_used_only_for_the_same_text(cache_dir, tmp_path):
    file = tmp_path / "a.toml"
    file.write_text('[ui]\nlanguage = "en"\n', encoding="utf-8")
    assert tomlcache.load_path(file) == {"ui": {"language": "en"}}
    assert len(list(cache_dir.glob("*.json"))) == 1
    file.write_text('[ui]\nlanguage = "de"\n', encoding="utf-8")  # edited by IT
    assert tomlcache.load_path(file) == {"ui": {"language": "de"}}


def test_a_corrupt_or_foreign_cache_file_is_ignored(cache_dir, tmp_path):
    file = tmp_path / "b.toml"
    file.write_text("x = 1\n", encoding="utf-8")
    tomlcache.load_path(file)
    (cached,) = cache_dir.glob("*.json")
    cached.write_text("{not json", encoding="utf-8")
    assert tomlcache.load_path(file) == {"x": 1}
    cached.write_text('{"key": "other", "text": "x = 1\\n", "data": {"x": 2}}', encoding="utf-8")
    assert tomlcache.load_path(file) == {"x": 1}


def test_syntax_errors_are_raised_as_toml_errors_and_dates_are_not_cached(cache_dir, tmp_path):
    with pytest.raises(tomlcache.TOMLDecodeError):
        tomlcache.loads("x = = 1", key=tmp_path / "c.toml")
    import datetime

    assert tomlcache.loads("opens = 09:00:00", key=tmp_path / "d.toml") == {"opens": datetime.time(9)}
    assert list(cache_dir.glob("*.json")) == []
