"""Child process: the app quits ("Beenden") with a wizard open and no tray yet.

argv: "quit" (the wizard closes on the way out), "launcher" (the same, quit by clicking
"Beenden" in the launcher, the window the app shows where there is no tray) or "keep" (its
draft cannot be saved and the agent answers "Abbrechen" to the question; then the disk is back
and the wizard is closed).
Prints one JSON line with what happened. Quitting ends the process's event loop for good, so
this does not run inside the test process.
"""
from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(mode: str) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from capture_app.core.platform.paths import default_paths
    from capture_app.core.report.drafts import DraftStoreUnavailableError
    from capture_app.core.wizard.steps import Step
    from capture_app.ui.app import Controller, LazyDraftStore

    app = QApplication([])
    controller = Controller(app, default_paths())
    app.aboutToQuit.connect(controller.shutdown)  # as run() connects it
    store = controller.store.open()
    saving = store.save
    asked: list[str] = []
    seen: dict[str, bool] = {}
    if mode == "keep":
        def broken(report):
            raise DraftStoreUnavailableError("locked")

        store.save = broken
        QMessageBox.warning = lambda *args: asked.append(args[2]) or QMessageBox.StandardButton.Cancel
    wizard = controller.new_report()
    report_id = wizard.report.id
    triage = wizard.pages[Step.TRIAGE]
    triage.tree.setCurrentItem(triage.tree.topLevelItem(3).child(0))
    wizard.wait_for_saves()

    def after_quit() -> None:  # runs only if the app goes on
        seen["wizard_open"] = wizard.isVisible() and list(controller.wizards) == [report_id]
        store.save = saving  # the disk is back
        wizard.close()
        seen["main_window_after_close"] = (controller.main_window is not None
                                           and controller.main_window.isVisible())
        app.exit()

    if mode == "launcher":
        controller.start_presence()  # no tray on this platform: the launcher comes up
        launcher = controller.presence.launcher
        seen["launcher_shown"] = launcher is not None and launcher.isVisible()
        button = launcher.buttons["quit"]
        seen["button"] = button.accessibleName()
        QTimer.singleShot(0, button.click)
    else:
        QTimer.singleShot(0, controller.quit)  # what the tray's "Beenden" runs
    QTimer.singleShot(300, after_quit)
    QTimer.singleShot(10_000, app.exit)  # bounded, should quitting hang
    app.exec()
    later = LazyDraftStore(default_paths())
    try:
        drafts = [draft.id for draft in later.list_drafts()]
    finally:
        later.close()
    print(json.dumps({"wizards": list(controller.wizards), "main_window": controller.main_window is not None,
                      "draft_kept": report_id in drafts, "asked": asked, **seen}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
