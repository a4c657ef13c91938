"""Settings: the agent switches the language and fills in their details; locked keys stay locked."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog

from capture_app.core.platform import i18n
from capture_app.ui.settings_dialog import SettingsDialog

pytestmark = pytest.mark.gui


def test_switching_to_english_rebuilds_the_main_window_in_english(controller, monkeypatch, qtbot):
    controller.show_main_window()
    assert controller.main_window.report_button.text() == "&Problem melden"

    def fill_and_save(dialog):
        combo = dialog.editors["ui.language"]
        combo.setCurrentIndex(combo.findData("en"))
        dialog.editors["reporter.name"].setText("Anna Agentin")
        dialog._save()
        return QDialog.Accepted

    monkeypatch.setattr(SettingsDialog, "exec", fill_and_save)
    controller.open_settings()
    assert i18n.current_language() == "en"
    assert controller.main_window.report_button.text() == "&Report a problem"
    saved = controller.paths.user_config_file.read_text(encoding="utf-8")
    assert 'language = "en"' in saved and "Anna Agentin" in saved
    # A new report carries the agent's name as reporter.
    assert controller.new_report().report.reporter.name == "Anna Agentin"


def test_keys_locked_by_the_organisation_cannot_be_edited(qapp, app_paths):
    from capture_app.core.platform.config import Config

    app_paths.system_config_file.parent.mkdir(parents=True, exist_ok=True)
    app_paths.system_config_file.write_text(
        'locked = ["reporter.organisation"]\n[reporter]\norganisation = "Musterbank AG"\n',
        encoding="utf-8")
    dialog = SettingsDialog(Config.load(app_paths))
    editor = dialog.editors["reporter.organisation"]
    assert not editor.isEnabled() and editor.text() == "Musterbank AG"
    assert "Organisation" in editor.toolTip()
    dialog.deleteLater()


def test_an_invalid_email_is_refused_with_a_message_and_nothing_written(
        qapp, app_paths, no_dialogs):
    from capture_app.core.platform.config import Config

    dialog = SettingsDialog(Config.load(app_paths))
    dialog.editors["reporter.email"].setText("anna(at)bank")
    dialog.tabs.setCurrentIndex(dialog.tabs.count() - 1)  # saved from another tab
    dialog._save()
    assert dialog.result() != QDialog.Accepted
    assert no_dialogs and "anna(at)bank" in no_dialogs[-1][1]
    # The tab with the refused field comes to the front.
    assert dialog.tabs.currentWidget().isAncestorOf(dialog.editors["reporter.email"])
    assert not app_paths.user_config_file.exists()
    dialog.deleteLater()


def test_a_refused_sending_setting_brings_the_versand_tab_to_the_front(qapp, app_paths, no_dialogs):
    from capture_app.core.platform.config import Config

    dialog = SettingsDialog(Config.load(app_paths))
    box = dialog.transport_box
    combo = box.editors["sending.transport"]
    combo.setCurrentIndex(combo.findData("http"))
    box.editors["http.endpoint"].setText("tickets.example-bank.de/api")  # no https://
    dialog.tabs.setCurrentIndex(0)
    dialog._save()
    assert dialog.result() != QDialog.Accepted and no_dialogs
    assert dialog.tabs.currentWidget().isAncestorOf(box.editors["http.endpoint"])
    dialog.deleteLater()


def test_the_report_key_combination_is_changed_on_the_general_tab_and_checked(
        qapp, app_paths, no_dialogs):
    from capture_app.core.platform.config import Config

    dialog = SettingsDialog(Config.load(app_paths))
    editor = dialog.editors["hotkey.report"]
    assert editor.text() == "Ctrl+Alt+P" and editor.isEnabled()
    assert dialog.tabs.widget(0).isAncestorOf(editor)  # "Allgemein"
    editor.setText("P")
    dialog._save()
    assert dialog.result() != QDialog.Accepted
    assert no_dialogs and "Ctrl+Alt+P" in no_dialogs[-1][1]  # what a valid one looks like
    editor.setText("Strg+Alt+M")
    dialog._save()
    assert dialog.result() == QDialog.Accepted
    assert Config.load(app_paths).get("hotkey.report") == "Strg+Alt+M"
    dialog.deleteLater()


def test_a_key_combination_locked_by_the_organisation_cannot_be_edited(qapp, app_paths):
    from capture_app.core.platform.config import Config

    app_paths.system_config_file.parent.mkdir(parents=True, exist_ok=True)
    app_paths.system_config_file.write_text(
        'locked = ["hotkey.report"]\n[hotkey]\nreport = "F9"\n', encoding="utf-8")
    dialog = SettingsDialog(Config.load(app_paths))
    editor = dialog.editors["hotkey.report"]
    assert not editor.isEnabled() and editor.text() == "F9"
    dialog.deleteLater()
