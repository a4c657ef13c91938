"""Who is reporting: asked once at the first start (prefilled from the computer's account),
never in the way of `capture-app report`, and missed on Prüfen with a way to fill it in."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from capture_app.core.platform.config import Config
from capture_app.core.platform.os_account import Account
from capture_app.core.wizard.steps import Step

pytestmark = pytest.mark.gui


@pytest.fixture
def os_account(monkeypatch):
    account = Account(name="Anna Agentin", phone="+49 30 555 01")
    monkeypatch.setattr("capture_app.ui.identity_dialog.current_account", lambda: account)
    return account


def type_into(qtbot, widget, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClicks(widget, text)


def identity_dialog(controller, qtbot):
    qtbot.waitUntil(lambda: controller.identity_dialog is not None
                    and controller.identity_dialog.isVisible(), timeout=5000)
    return controller.identity_dialog


def test_the_first_start_asks_once_prefilled_from_the_computers_account(
        controller, qtbot, os_account, app_paths):
    controller.show_main_window()
    dialog = identity_dialog(controller, qtbot)
    fields = dialog.editors
    assert fields["reporter.name"].text() == "Anna Agentin"
    assert fields["reporter.phone"].text() == "+49 30 555 01"
    assert fields["reporter.email"].text() == ""
    assert dialog.isVisible() and controller.main_window.isVisible()
    type_into(qtbot, fields["reporter.email"], "anna.agentin@example-bank.de")
    type_into(qtbot, fields["reporter.organisation"], "Example Bank AG")
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    assert not dialog.isVisible()
    saved = Config.load(app_paths)
    assert (saved.get("reporter.name"), saved.get("reporter.email"), saved.get("reporter.organisation"),
            saved.get("reporter.phone")) == ("Anna Agentin", "anna.agentin@example-bank.de",
                                             "Example Bank AG", "+49 30 555 01")
    reporter = controller.new_report().report.reporter
    assert (reporter.name, reporter.email) == ("Anna Agentin", "anna.agentin@example-bank.de")


def test_skipped_it_is_not_asked_again_and_prufen_says_what_is_missing(
        controller, qtbot, os_account, app_paths):
    from capture_app.ui.app import Controller

    controller.show_main_window()
    dialog = identity_dialog(controller, qtbot)
    qtbot.mouseClick(dialog.skip_button, Qt.LeftButton)  # "Später"
    assert not dialog.isVisible() and not app_paths.user_config_file.exists()
    # The next start does not ask again.
    again = Controller(controller.app, app_paths)
    try:
        again.show_main_window()
        qtbot.wait(300)
        assert again.identity_dialog is None
    finally:
        again.main_window.close()
        again.shutdown()  # as the app ends: its timers stop, its store closes

    from factories import second_level_report

    report = second_level_report()
    controller.store.save(report)
    window = controller.resume(report.id)
    page = window.page(Step.REVIEW)
    window.show()
    hint = page.identity_hint
    assert hint.isVisibleTo(page)
    assert "Meldende Person" in hint.text() and "E-Mail-Adresse" in hint.text()
    qtbot.mouseClick(hint.fill_button, Qt.LeftButton)  # "Angaben ergänzen …"
    fill = hint.dialog
    assert fill.isVisible() and fill.editors["reporter.name"].text() == "Anna Agentin"
    type_into(qtbot, fill.editors["reporter.email"], "anna.agentin@example-bank.de")
    type_into(qtbot, fill.editors["reporter.organisation"], "Example Bank AG")
    qtbot.mouseClick(fill.save_button, Qt.LeftButton)
    assert window.report.reporter.email == "anna.agentin@example-bank.de"
    assert window.report.reporter.name == "Anna Agentin"
    assert "anna.agentin@example-bank.de" in page.preview.toPlainText()
    assert not hint.isVisibleTo(page)


def test_capture_app_report_is_not_held_up_by_the_question(controller, qtbot, os_account):
    window = controller.new_report()  # as `capture-app report` starts
    qtbot.wait(300)
    assert controller.identity_dialog is None
    assert window.isVisible()


def test_a_complete_identity_is_not_asked_for(controller, qtbot, os_account):
    for key, value in (("reporter.name", "Petra Support"), ("reporter.email", "petra@example-bank.de"),
                       ("reporter.organisation", "Example Bank AG"), ("reporter.phone", "+49 30 1")):
        controller.config.set_user(key, value)
    controller.show_main_window()
    qtbot.wait(300)
    assert controller.identity_dialog is None


def test_the_organisation_file_presets_and_locks_the_organisation(qapp, app_paths, os_account, qtbot):
    from capture_app.ui.identity_dialog import IdentityDialog

    app_paths.system_config_file.parent.mkdir(parents=True, exist_ok=True)
    app_paths.system_config_file.write_text(
        'locked = ["reporter.organisation"]\n[reporter]\norganisation = "Musterbank AG"\n',
        encoding="utf-8")
    dialog = IdentityDialog(Config.load(app_paths))
    qtbot.addWidget(dialog)
    organisation = dialog.editors["reporter.organisation"]
    assert organisation.text() == "Musterbank AG" and not organisation.isEnabled()


def test_reporting_right_away_from_the_main_window_is_not_interrupted(controller, qtbot, os_account):
    controller.show_main_window()
    wizard = controller.new_report()  # clicked before the question came up
    qtbot.wait(300)
    assert controller.identity_dialog is None and wizard.isVisible()
    wizard._discarding = True
    wizard.close()  # done reporting: now it is asked
    identity_dialog(controller, qtbot)
