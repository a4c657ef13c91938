"""German and English are complete: same keys, same placeholders, and every key the code asks for exists."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import capture_app
from capture_app.core.platform import i18n

PACKAGE = Path(capture_app.__file__).parent


def test_both_languages_have_exactly_the_same_keys():
    de, en = i18n.catalogue("de"), i18n.catalogue("en")
    assert sorted(set(de) - set(en)) == []
    assert sorted(set(en) - set(de)) == []


def test_placeholders_match_between_languages():
    de, en = i18n.catalogue("de"), i18n.catalogue("en")
    mismatched = {key: (i18n.placeholders(de[key]), i18n.placeholders(en[key]))
                  for key in de if i18n.placeholders(de[key]) != i18n.placeholders(en[key])}
    assert mismatched == {}


def test_no_text_is_empty_and_english_is_not_german():
    de, en = i18n.catalogue("de"), i18n.catalogue("en")
    assert [k for k in de if not de[k].strip()] == []
    assert [k for k in en if not en[k].strip()] == []
    # Long texts identical in both files were forgotten in translation.
    def words(text: str) -> str:  # the text without its placeholders
        return re.sub(r"\{[^}]*\}", "", text)

    same = [k for k in de if de[k] == en[k] and len(re.sub(r"\W", "", words(de[k]))) > 20]
    assert same == []


def _literal_keys_and_prefixes() -> tuple[set[str], set[str]]:
    keys, prefixes = set(), set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name not in ("tr", "has", "add_row"):
                continue
            arg = node.args[1] if name == "add_row" and len(node.args) > 1 else node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                keys.add(arg.value)
            elif isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
                prefixes.add(arg.values[0].value)
    return keys, prefixes


def test_every_key_the_code_uses_exists_in_both_languages():
    keys, prefixes = _literal_keys_and_prefixes()
    assert len(keys) > 100  # the scan really found the UI's keys
    for language in i18n.LANGUAGES:
        catalogue = i18n.catalogue(language)
        missing = sorted(k for k in keys if "." in k and k not in catalogue)
        assert missing == [], language
        for prefix in prefixes:
            if "." in prefix:
                assert any(k.startswith(prefix) for k in catalogue), (language, prefix)


def test_a_missing_key_is_visible_not_silent():
    assert i18n.tr("ui.does_not_exist") == "⟦ui.does_not_exist⟧"


def test_language_switch_changes_texts_and_unknown_falls_back_to_german():
    assert i18n.tr("ui.wizard.next", language="en") == "&Next"
    assert i18n.set_language("fr") == "de"
    assert i18n.tr("ui.wizard.next") == "&Weiter"
