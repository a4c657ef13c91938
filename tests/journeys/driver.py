"""The app under test, started as ``capture-app`` starts it, plus an agent that drives it.

    python driver.py --lang de --work DIR [--shots DIR] [--sending TOML]
                                                             (DISPLAY: a session of xsession.py)

Reads one journey per line on stdin (JSON: case, path, tag) and answers each with one line
``JOURNEY {json}`` on stdout: the journey's result, or its error. One app serves many journeys,
like an agent's app that stays open all day.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

ANSWER = "JOURNEY "


def write_settings(home: Path, outbox_folder: Path, sending: str | None = None) -> None:
    """The agent's settings: who they are, their project lead, and a transport that needs no
    server (the outbox copies each bundle into a folder) unless ``sending`` gives the TOML of
    another. Reminders about support hours are off, so that no journey depends on the time of
    day."""
    export = f"""
[sending]
transport = "export"

[export]
folder = "{outbox_folder.as_posix()}"
"""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "config.toml"
    config.write_text("""
[reporter]
name = "Anna Agentin"
email = "anna.agentin@musterbank.de"
organisation = "Musterbank AG"
phone = "+49 30 1234567"

[project_lead]
name = "Erika Beispiel"
email = "projektleitung@musterbank.de"

[reminders]
outside_hours = false
support_opens = false
before_closing = false
""" + (sending if sending is not None else export), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lang", required=True)
    parser.add_argument("--work", required=True, type=Path)
    parser.add_argument("--shots", type=Path)
    parser.add_argument("--sending", type=Path, help="a TOML file with the [sending] settings")
    args = parser.parse_args()
    work: Path = args.work
    outbox_folder = work / "outbox-delivered"
    outbox_folder.mkdir(parents=True, exist_ok=True)
    from capture_app.core.platform.paths import HOME_ENV, SYSTEM_CONFIG_ENV, default_paths

    os.environ[HOME_ENV] = str(work / "home")
    os.environ[SYSTEM_CONFIG_ENV] = str(work / "system" / "config.toml")
    paths = default_paths()
    write_settings(paths.user_config_file.parent, outbox_folder,
                   args.sending.read_text(encoding="utf-8") if args.sending else None)
    assert paths.user_config_file.exists(), paths.user_config_file

    from agent import Agent, Invoker
    from journey import Journey, clean_up
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from capture_app.core.triage.catalogue import builtin_catalogue
    from capture_app.ui import app as app_module

    _app = QApplication(sys.argv[:1])  # before run(), which takes the existing one
    display = os.environ["DISPLAY"]
    catalogue = builtin_catalogue()
    if args.shots:
        args.shots.mkdir(parents=True, exist_ok=True)

    def serve(invoker) -> None:
        for line in sys.stdin:
            if not line.strip():
                continue
            spec = json.loads(line)
            agent = Agent(invoker, display, args.shots, spec["tag"])
            journey_work = work / spec["tag"]
            journey_work.mkdir(parents=True, exist_ok=True)
            try:
                result = Journey(agent, catalogue, args.lang, journey_work, spec).run()
                result["outbox_folder"] = str(outbox_folder)
                answer = {"ok": True, "result": result}
            except BaseException as exc:  # noqa: BLE001 - reported to the test
                try:
                    agent.shot("failed")
                except BaseException:  # noqa: BLE001
                    pass
                answer = {"ok": False, "error": "".join(traceback.format_exception(exc))}
                try:
                    agent.ui(clean_up)
                except BaseException:  # noqa: BLE001
                    pass
            sys.stdout.write(ANSWER + json.dumps(answer) + "\n")
            sys.stdout.flush()
        agent = Agent(invoker, display, None, "quit")
        agent.ui(QApplication.quit)

    # The agent's thread starts once the app's event loop runs (the Agent's helper object must
    # be created on the main thread).
    def start_agent() -> None:
        invoker = Invoker()
        threads.append(invoker)
        threading.Thread(target=serve, args=(invoker,), daemon=True).start()
    threads: list = []
    QTimer.singleShot(0, start_agent)
    return app_module.run(language=args.lang)


if __name__ == "__main__":
    sys.exit(main())
