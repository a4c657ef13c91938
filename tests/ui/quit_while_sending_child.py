"""Child process: the app quits while an upload waits for its answer; stderr must stay clean.

argv: home folder. Prints "posted" once the server has the request, then quits the app.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for sendhelpers

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from sendhelpers.http_server import Hang, TicketServer
    from sendhelpers.keyring_backend import MemoryKeyring
    from sendhelpers.reports import stored_report

    from capture_app.core.platform.paths import default_paths
    from capture_app.core.platform.secrets import SecretStore, http_account
    from capture_app.ui.app import Controller
    from capture_app.ui.sending.sender import SendingService

    app = QApplication([])
    server = TicketServer().__enter__()
    server.script.append(Hang(8))
    controller = Controller(app, default_paths())
    service = SendingService(controller.config, controller.store,
                             secrets=SecretStore(MemoryKeyring()))
    controller.sending = service
    for key, value in (("sending.transport", "http"), ("http.endpoint", server.url),
                       ("http.auth", "bearer"), ("http.timeout_seconds", 5)):
        controller.config.set_user(key, value)
    service.secrets.set(http_account(server.url, "bearer"), "tok")
    report = stored_report(controller.store)
    service.outbox.enqueue(report.id)
    service.wake()

    def poll() -> None:
        if server.posts():
            print("posted", flush=True)
            app.quit()
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)
    app.exec()
    controller.shutdown()  # as the app does on quit: waits a moment, then leaves the upload
    import shiboken6

    # The app's objects go away while the upload still waits for its answer (the thread pool's
    # destructor waits for it); its result then has nobody to go to.
    shiboken6.delete(service)
    server.__exit__(None, None, None)


if __name__ == "__main__":
    main()
