"""An organisation adds, changes and hides cases and articles in its own triage.toml; a broken file
never takes triage away: the built-in catalogue is used for what cannot be read, with a specific message."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from capture_app.core.platform.paths import system_config_location
from capture_app.core.report.model import Report
from capture_app.core.sending.render import render_text
from capture_app.core.triage.catalogue import (
    ORGANISATION,
    builtin_catalogue,
    effective_catalogue,
    load_catalogue,
    organisation_file,
)
from capture_app.core.triage.search import search
from capture_app.core.wizard.steps import choose_case

GOOD = '''
[[case]]
id = "vpn_token"
outcome = "not_flexperto"
title_de = "VPN-Token abgelaufen"
title_en = "VPN token expired"
guidance_de = "Das VPN-Token erneuert die IT-Hotline unter 0800 123."
keywords_de = ["RSA-Token", "Token abgelaufen", "SecurID"]

[[case]]
id = "password_forgotten"
title_de = "Passwort vergessen (Musterbank-SSO)"
article = "musterbank_password"
keywords_de = ["Windows-Kennwort"]

[[case]]
id = "documents_to_use"
hidden = true

[[article]]
id = "musterbank_password"
title_de = "Passwort über das Musterbank-Portal"
agent_de = "Die Musterbank meldet sich per SSO an: Passwörter setzt das Portal https://sso.musterbank.example zurück."
user_de = "Bitte setzen Sie Ihr Passwort im Musterbank-Portal zurück."
'''


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def org_file(isolated_home) -> Path:
    return organisation_file()


def test_the_organisation_file_sits_beside_the_organisation_config(org_file):
    assert org_file == system_config_location().parent / "triage.toml"


def test_without_an_organisation_file_the_builtin_catalogue_is_used(org_file):
    load = load_catalogue(org_file)
    assert load.catalogue is builtin_catalogue() and load.problems == []


def test_cases_and_articles_are_added_changed_and_hidden(org_file):
    load = load_catalogue(write(org_file, GOOD))
    assert load.problems == []
    catalogue = load.catalogue
    added = catalogue.get("vpn_token")
    assert added.source == ORGANISATION and added.outcome == "not_flexperto"
    assert added.title_in("en") == "VPN token expired"
    assert [m.case.id for m in search(catalogue, "SecurID Token abgelaufen")][:1] == ["vpn_token"]
    changed = catalogue.get("password_forgotten")
    assert changed.title_in("de") == "Passwort vergessen (Musterbank-SSO)"
    assert changed.title_in("en") == "Forgotten password"  # untouched keys keep the built-in value
    assert changed.outcome == "first_level"
    assert "Windows-Kennwort" in changed.keywords["de"] and "Passwort vergessen" in changed.keywords["de"]
    article = catalogue.article_for(changed)
    assert article.source == ORGANISATION and "Musterbank-Portal" in article.user_in("en")  # de fallback
    assert catalogue.get("documents_to_use") is None
    assert "documents_to_use" not in [m.case.id for m in search(catalogue, "welche Unterlagen zeigen")]
    assert builtin_catalogue().get("documents_to_use") is not None  # the built-in one is untouched


def test_a_file_that_is_not_toml_is_named_with_its_line_and_the_builtin_catalogue_is_used(org_file):
    write(org_file, '[[case]]\nid = "x"\ntitle_de = "Fehlt das Ende\n')
    load = load_catalogue(org_file)
    assert load.catalogue is builtin_catalogue()
    [problem] = load.problems
    assert problem.key == "syntax" and problem.line == 3
    message = problem.message("de")
    assert str(org_file) in message and "Zeile 3" in message
    assert "mitgelieferte Fallkatalog" in message and "IT" in message
    assert "line 3" in problem.message("en") and "built-in catalogue" in problem.message("en")


def test_a_file_in_another_encoding_is_refused_with_its_line(org_file):
    write(org_file, '[[case]]\nid = "x"\ntitle_de = "Gr\xfc\xdfe"\n'.encode("latin-1"))
    load = load_catalogue(org_file)
    assert load.catalogue is builtin_catalogue()
    assert [(p.key, p.line) for p in load.problems] == [("not_utf8", 3)]
    assert "UTF-8" in load.messages("de")[0]


def test_an_absurdly_large_file_is_not_read(org_file):
    write(org_file, "# " + "x" * 1_100_000)
    load = load_catalogue(org_file)
    assert load.catalogue is builtin_catalogue()
    assert [p.key for p in load.problems] == ["file_too_large"]


def test_a_bad_entry_is_left_out_and_named_while_the_good_ones_apply(org_file):
    write(org_file, GOOD + '''
[[case]]
id = "scanner"
outcome = "vielleicht"
title_de = "Scanner"
guidance_de = "x"

[[case]]
id = "other_technical"
hidden = true

[[case]]
id = "calendar_sync_missing"
article = "gibt_es_nicht"

[[case]]
id = "kaputt"
outcome = "second_level"
title_de = 42
''')
    load = load_catalogue(org_file)
    catalogue = load.catalogue
    assert catalogue.get("vpn_token") is not None  # the good entries still count
    assert catalogue.get("scanner") is None and catalogue.get("kaputt") is None
    assert catalogue.get("other_technical") is not None  # "nothing fits" cannot be taken away
    assert catalogue.get("calendar_sync_missing").article == "calendar_sync_missing"  # kept built-in
    by_key = {p.key: p for p in load.problems}
    assert set(by_key) == {"bad_outcome", "fallback_fixed", "unknown_article", "missing"}
    bad = by_key["bad_outcome"]
    assert bad.line == GOOD.count("\n") + 3  # the line of its id
    text = bad.message("de")
    assert "„scanner“" in text and "„vielleicht“" in text and "second_level" in text
    assert "„gibt_es_nicht“" in by_key["unknown_article"].message("de")


def test_unknown_tables_and_wrong_types_are_reported(org_file):
    write(org_file, 'case = "nicht als Tabelle"\n[kategorie]\nx = 1\n')
    load = load_catalogue(org_file)
    assert {p.key for p in load.problems} == {"not_list", "unknown_key"}
    assert load.catalogue.cases == builtin_catalogue().cases
    assert all("⟦" not in m for m in load.messages("de") + load.messages("en"))


def test_the_catalogue_is_read_again_when_the_file_changes(org_file):
    assert effective_catalogue(org_file).catalogue.get("vpn_token") is None
    write(org_file, GOOD)
    stat = org_file.stat()
    os.utime(org_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    assert effective_catalogue(org_file).catalogue.get("vpn_token") is not None
    assert effective_catalogue(org_file) is effective_catalogue(org_file)  # unchanged: not re-read


def test_the_readable_report_names_an_organisation_case_by_its_title(org_file):
    write(org_file, GOOD)
    report = Report.new()
    choose_case(report, effective_catalogue().catalogue.get("vpn_token"))
    assert "VPN-Token abgelaufen (vpn_token)" in render_text(report, "de")
