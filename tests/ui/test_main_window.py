"""The main window: drafts listed, resumed where the agent left off, duplicated, deleted; problems shown."""
from __future__ import annotations

import zipfile

import pytest
from factories import second_level_report
from PySide6.QtCore import Qt

from capture_app.core.wizard.steps import Step

pytestmark = pytest.mark.gui


def rows(main_window) -> list[str]:
    return [main_window.table.item(r, 0).text() for r in range(main_window.table.rowCount())]


def test_a_typed_summary_is_autosaved_and_listed(controller, qtbot):
    controller.show_main_window()
    main = controller.main_window
    assert main.table.isHidden() and not main.empty_hint.isHidden()
    qtbot.mouseClick(main.report_button, Qt.LeftButton)
    window = next(iter(controller.wizards.values()))
    window.pages[Step.TRIAGE].tree.setCurrentItem(window.pages[Step.TRIAGE].tree.topLevelItem(3).child(0))
    window.go_next()
    window.pages[Step.DETAILS].field_widget("summary").setText("Kalender synchronisiert nicht")
    # autosave happens by itself shortly after typing stops
    qtbot.waitUntil(lambda: "Kalender synchronisiert nicht" in rows(main), timeout=5000)
    assert window.status.text() == "Entwurf gespeichert"


def test_resume_opens_at_the_first_incomplete_step_with_everything_restored(controller, qtbot):
    report = second_level_report()
    report.occurred.at = ""  # the time step is still open
    controller.store.save(report)
    controller.show_main_window()
    main = controller.main_window
    assert rows(main) == [report.summary]
    main.table.selectRow(0)
    qtbot.mouseClick(main.resume_button, Qt.LeftButton)
    window = controller.wizards[report.id]
    assert window.current is Step.TIME
    details = window.page(Step.DETAILS)
    assert details.field_widget("summary").text() == report.summary
    assert details.field_widget("description.affected").currentData() == "both"
    assert details.field_widget("description.what").toPlainText() == report.description.what


def test_duplicate_and_delete(controller, qtbot, no_dialogs):
    report = second_level_report()
    controller.store.save(report)
    attachment = controller.store.attachment_path(report.id, "x")
    controller.show_main_window()
    main = controller.main_window
    main.table.selectRow(0)
    qtbot.mouseClick(main.duplicate_button, Qt.LeftButton)
    assert rows(main) == [report.summary, report.summary]
    copy_id = main.selected_id()
    assert copy_id != report.id
    qtbot.mouseClick(main.delete_button, Qt.LeftButton)  # confirmation answered "Yes"
    assert no_dialogs[-1][0] == "question" and report.summary in no_dialogs[-1][1]
    assert len(rows(main)) == 1
    assert [d.id for d in controller.store.list_drafts()] == [report.id]
    assert not attachment.exists()


def test_a_corrupt_draft_database_is_set_aside_and_the_app_still_starts(qapp, app_paths):
    from capture_app.ui.app import Controller

    app_paths.data_dir.mkdir(parents=True, exist_ok=True)
    garbage = b"this is not a database" * 100
    app_paths.drafts_db.write_bytes(garbage)
    controller = Controller(qapp, app_paths)
    try:
        controller.show_main_window()
        notice = controller.main_window.notices
        assert not notice.isHidden()
        assert "beiseitegelegt" in notice.text() or "beiseite" in notice.text()
        aside = list(app_paths.quarantine_dir.iterdir())
        assert any(p.read_bytes() == garbage for p in aside if p.is_file())
        assert controller.store.list_drafts() == []
    finally:
        controller.main_window.close()
        controller.shutdown()  # as the app ends: its timers stop, its store closes


def test_a_malformed_config_file_is_reported_with_file_and_line_and_defaults_used(qapp, app_paths):
    from capture_app.ui.app import Controller

    app_paths.user_config_file.parent.mkdir(parents=True, exist_ok=True)
    app_paths.user_config_file.write_text('[ui]\nlanguage = "en"\n[reporter\nname = "X"\n',
                                          encoding="utf-8")
    controller = Controller(qapp, app_paths)
    try:
        controller.show_main_window()
        text = controller.main_window.notices.text()
        assert str(app_paths.user_config_file) in text and "Zeile 3" in text
        assert controller.config.get("ui.language") == "de"  # the broken layer is skipped whole
        assert app_paths.user_config_file.read_text(encoding="utf-8").startswith("[ui]")  # kept
    finally:
        controller.main_window.close()
        controller.shutdown()  # as the app ends: its timers stop, its store closes


def test_self_help_case_solved_deletes_the_draft_and_sends_nothing(controller, qtbot, no_dialogs):
    window = controller.new_report()
    triage = window.pages[Step.TRIAGE]
    triage.tree.setCurrentItem(triage.tree.topLevelItem(0).child(0))  # Passwort vergessen
    assert window.report.triage.category == "first_level"
    assert window.next_button.isHidden()
    assert not triage.solved_button.isHidden()
    assert "Passwort vergessen" in triage.guidance.text()
    window.flush()
    assert [d.id for d in controller.store.list_drafts()] == [window.report.id]
    qtbot.mouseClick(triage.solved_button, Qt.LeftButton)
    assert controller.store.list_drafts() == []


def test_not_flexperto_can_be_escalated_with_a_reason(controller, qtbot):
    window = controller.new_report()
    triage = window.pages[Step.TRIAGE]
    triage.tree.setCurrentItem(triage.tree.topLevelItem(2).child(0))  # Druckereinstellungen
    assert window.report.triage.category == "not_flexperto"
    assert window.next_button.isHidden() and triage.reason.isHidden()
    qtbot.mouseClick(triage.escalate_button, Qt.LeftButton)
    assert not triage.reason.isHidden() and not window.next_button.isHidden()
    window.go_next()
    assert window.current is Step.TRIAGE
    assert "Begründung" in window.problems.text() or "begründen" in window.problems.text()
    triage.reason.setPlainText("Druck aus der Beratung heraus erzeugt leere Seiten")
    window.go_next()
    assert window.current is Step.DETAILS
    assert window.report.triage.escalation_reason.startswith("Druck aus")


def test_a_disguised_file_is_refused_with_a_specific_message(controller, qtbot, tmp_path, no_dialogs):
    window = controller.new_report()
    evidence = window.page(Step.EVIDENCE)
    fake = tmp_path / "screenshot.png"
    with zipfile.ZipFile(fake, "w") as archive:
        archive.writestr("a.txt", "hello")
    done = []
    evidence.add_files([fake], "screenshot", on_done=lambda a, r: done.append((a, r)))
    qtbot.waitUntil(lambda: len(done) == 1, timeout=5000)
    added, refused = done[0]
    assert added == [] and window.report.evidence == []
    assert "screenshot.png" in refused[0] and "ZIP" in refused[0]
    assert no_dialogs and no_dialogs[-1][0] == "warning"


def test_attachments_no_report_refers_to_are_removed_in_the_background(controller, qtbot):
    import os

    report = second_level_report()
    controller.store.save(report)
    orphan = controller.store.attachment_path(report.id, "left-over-after-a-crash")
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"unredacted pixels")
    old = orphan.stat().st_mtime - 3600  # an hour before the file system stamped it
    os.utime(orphan, (old, old))
    controller.collect_garbage()
    qtbot.waitUntil(lambda: not orphan.exists(), timeout=10_000)
    assert controller.store.load(report.id).summary == report.summary


def quit_with_wizard(mode: str, tmp_path) -> dict:
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from capture_app.core.platform.paths import HOME_ENV, SYSTEM_CONFIG_ENV

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env[HOME_ENV] = str(tmp_path / "home")
    env[SYSTEM_CONFIG_ENV] = str(tmp_path / "home" / "system" / "config.toml")
    result = subprocess.run([sys.executable, str(Path(__file__).with_name("quit_with_wizard_child.py")),
                             mode], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


def test_quitting_with_a_wizard_open_keeps_its_draft_and_opens_no_window(tmp_path):
    """`capture-app report` quit before its tray came up ("Beenden", or the benchmarks'
    --exit-when-shown): Qt closes the wizard first, its draft stays, and no main window is put
    up on the way out."""
    outcome = quit_with_wizard("quit", tmp_path)
    assert outcome == {"wizards": [], "main_window": False, "draft_kept": True, "asked": []}


def test_beenden_in_the_launcher_with_a_wizard_open_keeps_its_draft_and_opens_no_window(tmp_path):
    """Without a tray the launcher window is the app's presence: its "Beenden" button, clicked
    with a wizard open, ends the app, keeps the wizard's draft and brings up no main window on
    the way out."""
    outcome = quit_with_wizard("launcher", tmp_path)
    assert outcome == {"wizards": [], "main_window": False, "draft_kept": True, "asked": [],
                       "launcher_shown": True, "button": "Beenden"}


def test_quitting_is_called_off_when_the_agent_keeps_an_unsaved_wizard(tmp_path):
    """A wizard whose draft cannot be saved asks before quitting; "Abbrechen" keeps it open and
    the app goes on as before: closing the wizard later brings up the main window."""
    outcome = quit_with_wizard("keep", tmp_path)
    assert len(outcome.pop("asked")) == 1
    assert outcome == {"wizards": [], "main_window": True, "draft_kept": True,
                       "wizard_open": True, "main_window_after_close": True}


def test_memory_goes_back_to_the_system_once_no_report_and_no_main_window_is_open(controller, qtbot,
                                                                                  monkeypatch):
    """A report's screenshots and pages, freed when it closes, are handed back (glibc keeps them
    otherwise): only once nothing of ours is open, not while the agent still works."""
    from capture_app.ui import app as app_module

    returned = []
    monkeypatch.setattr(app_module, "return_freed_memory", lambda: returned.append(True))
    monkeypatch.setattr(app_module, "MEMORY_BACK_MS", 100)
    main = controller.show_main_window()
    qtbot.mouseClick(main.report_button, Qt.LeftButton)
    wizard = next(iter(controller.wizards.values()))
    main.close()
    qtbot.wait(400)
    assert returned == []  # the report is still open
    wizard.close()
    qtbot.waitUntil(lambda: main.isVisible(), timeout=5000)  # no tray: the main window comes back
    qtbot.wait(400)
    assert returned == []
    main.close()
    qtbot.waitUntil(lambda: returned == [True], timeout=5000)
    qtbot.wait(400)
    assert returned == [True]  # once


def test_the_memory_hand_back_still_waiting_when_the_app_quits_never_runs(qapp, app_paths, qtbot,
                                                                         monkeypatch):
    """The agent closes the main window and quits within the hand-back's delay: the waiting
    hand-back is dropped with the app and never reaches its windows, deleted by then."""
    from capture_app.ui import app as app_module
    from capture_app.ui.app import Controller

    returned = []
    monkeypatch.setattr(app_module, "return_freed_memory", lambda: returned.append(True))
    monkeypatch.setattr(app_module, "MEMORY_BACK_MS", 200)
    controller = Controller(qapp, app_paths)
    main = controller.show_main_window()
    main.close()
    qtbot.waitUntil(controller._memory_back.isActive, timeout=5000)  # the hand-back waits
    controller.shutdown()
    main.deleteLater()
    qtbot.wait(600)  # well past the delay: a hand-back still due would run (and fail) here
    assert returned == []
