"""Autosave tells the truth: a deleted database is recreated and the agent told; an old error
does not linger after a good save; an unreadable database at start is a message, not a crash."""
from __future__ import annotations

import sqlite3

import pytest
from factories import second_level_report

from capture_app.core.wizard.steps import Step

pytestmark = pytest.mark.gui


def _edit_and_save(window, text: str) -> None:
    window.report.summary = text
    window.mark_dirty()
    assert window.flush()


def test_autosave_after_the_database_was_deleted_says_it_was_recreated(controller, qtbot):
    report = second_level_report()
    controller.store.save(report)
    window = controller.open_wizard(report, Step.DETAILS)
    qtbot.addWidget(window)
    _edit_and_save(window, "Kalender synchronisiert nicht")
    assert window.status.text() == "Entwurf gespeichert"
    controller.paths.drafts_db.unlink()
    _edit_and_save(window, "Kalender synchronisiert seit Montag nicht")
    assert "neu angelegt" in window.status.text() or "neu angelegt" in window.status.toolTip()
    assert controller.paths.drafts_db.is_file()
    with sqlite3.connect(controller.paths.drafts_db) as conn:
        (summary,) = conn.execute("SELECT summary FROM reports WHERE id = ?",
                                  (report.id,)).fetchone()
    assert summary == "Kalender synchronisiert seit Montag nicht"


def test_a_good_save_after_a_failed_one_clears_the_old_error(controller, qtbot):
    report = second_level_report()
    controller.store.save(report)
    window = controller.open_wizard(report, Step.DETAILS)
    qtbot.addWidget(window)
    db = controller.paths.drafts_db
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE reports SET state = 'queued' WHERE id = ?", (report.id,))
    _edit_and_save(window, "Erster Versuch")
    assert window.status.text().startswith("Nicht gespeichert")
    assert "nicht mehr geändert" in window.status.toolTip()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE reports SET state = 'draft' WHERE id = ?", (report.id,))
    _edit_and_save(window, "Zweiter Versuch")
    assert window.status.text() == "Entwurf gespeichert"
    assert window.status.toolTip() == ""


def test_an_unreadable_database_with_report_still_opens_the_main_window_with_a_message(
        controller, qtbot, monkeypatch):
    controller.paths.drafts_db.mkdir(parents=True)  # cannot be opened as a database
    window = controller.new_report()  # `capture-app report`: the wizard first
    if window is not None:
        qtbot.addWidget(window)
    controller.start_background_sending()
    controller.show_main_window()
    main = controller.main_window
    qtbot.addWidget(main)
    assert main.isVisible()
    assert main.notices.isVisible()
    assert str(controller.paths.drafts_db) in main.notices.text()
    assert "kann nicht geöffnet werden" in main.notices.text()
    assert controller.queued_count() == 0
    main.refresh()
    main.refresh()
    assert main.notices.text().count(str(controller.paths.drafts_db)) == 1
