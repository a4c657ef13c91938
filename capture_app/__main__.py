"""Command line: ``capture-app`` (main window), ``capture-app report`` (straight into the wizard).

Qt and everything slow is imported only once it is known to be needed, so ``--version`` and
``--help`` answer at once and the wizard appears quickly.
"""
from __future__ import annotations

import os
import sys
from types import SimpleNamespace

from capture_app import APP_NAME, __version__


def build_parser():
    import argparse

    # Options valid before and after the command: "capture-app --lang en report" and
    # "capture-app report --lang en" both work.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=("de", "en"), default=argparse.SUPPRESS,
                        help="Sprache der Oberfläche für diesen Start / interface language")
    common.add_argument("--exit-when-shown", action="store_true", default=argparse.SUPPRESS,
                        help=argparse.SUPPRESS)
    common.add_argument("--background", action="store_true", default=argparse.SUPPRESS,
                        help="Nur das Symbol im Infobereich, kein Fenster (Start bei der Anmeldung) "
                             "/ only the notification-area icon, no window (start at login)")
    parser = argparse.ArgumentParser(
        prog="capture-app", parents=[common],
        description=f"{APP_NAME}: Probleme mit Flexperto erfassen und an den Support melden.")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="prüfen, ob alles Nötige installiert ist / check the installation")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("report", parents=[common],
                        help="Gleich mit einer neuen Meldung beginnen / start a new report")
    # Described here rather than in config_command: building the parser must not import the
    # configuration code on the way to the wizard.
    config = commands.add_parser("config", help="Einstellungsdateien prüfen / check settings files")
    config_commands = config.add_subparsers(dest="config_command", required=True)
    check = config_commands.add_parser("check", help="eine Einstellungsdatei prüfen / check a file")
    check.add_argument("file")
    check.add_argument("--agent", action="store_true",
                       help="als Datei des Agenten prüfen / check as the agent's own file")
    config_commands.add_parser("sample",
                               help="kommentierte Beispieldatei ausgeben / print a commented sample")
    return parser


_QUICK_FLAGS = {"--exit-when-shown": "exit_when_shown", "--background": "background"}


def quick_parse(raw: list[str]) -> SimpleNamespace | None:
    """The everyday starts (``capture-app``, ``capture-app report``, ``--background``, ``--lang
    de|en``) without building the argparse parser, which costs a noticeable moment of every
    start (and importing argparse). Anything else, including every mistake, goes to argparse and
    gets its messages."""
    values: dict = {"command": None, "self_test": False}
    tokens = list(raw)
    while tokens:
        token = tokens.pop(0)
        if token == "report" and values["command"] is None:
            values["command"] = "report"
        elif token in _QUICK_FLAGS and _QUICK_FLAGS[token] not in values:
            values[_QUICK_FLAGS[token]] = True
        elif token == "--lang" and tokens and tokens[0] in ("de", "en") and "lang" not in values:
            values["lang"] = tokens.pop(0)
        else:
            return None
    return SimpleNamespace(**values)


def _display_missing() -> bool:
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _helper_process(raw: list[str]) -> int | None:
    """The app's own helper processes, started by the packaged app as sub-commands of its
    executable (from the sources: ``python -m`` the module); None for anything else."""
    if raw[:1] == ["guide-window"]:  # the console guide's own process (capture_app/guide_process.py)
        from capture_app.guide_process import main as guide_window

        return guide_window(raw[1:])
    if raw == ["grab-screen"]:  # the first screenshot's own process (core/evidence/grab_process.py)
        from capture_app.core.evidence.grab_process import main as grab_screen

        return grab_screen()
    return None


def main(argv: list[str] | None = None) -> int:
    raw = sys.argv[1:] if argv is None else argv
    args = quick_parse(raw)
    helper = _helper_process(raw)
    if helper is not None:
        return helper
    args = args or build_parser().parse_args(raw)
    if getattr(args, "lang", None) or args.command == "config":
        from capture_app.core.platform import i18n

        i18n.set_language(getattr(args, "lang", None) or os.environ.get("REPORT_CAPTURE_LANG", "de"))
    if args.self_test:
        from capture_app import self_test

        return self_test.run()
    if args.command == "config":
        from capture_app import config_command

        return config_command.run(args)
    if _display_missing():
        print("Report Capture braucht eine grafische Oberfläche, es ist aber keine Anzeige "
              "(DISPLAY/WAYLAND_DISPLAY) gesetzt. Starten Sie die App in Ihrer Desktop-Sitzung.\n"
              "Report Capture needs a graphical session, but no display is set. Start the app "
              "from your desktop session.", file=sys.stderr)
        return 2
    background = getattr(args, "background", False)
    command = "report" if args.command == "report" else "background" if background else "show"
    from capture_app.core.platform.instance_socket import hand_over_for_start

    # The app already running (the usual case for a desktop shortcut) takes the request now,
    # before this process loads Qt or grabs the screen: the running app grabs it itself.
    handed_over = hand_over_for_start(command, language=getattr(args, "lang", None))
    if handed_over is not None:
        return handed_over
    screen = None
    if args.command == "report":
        from capture_app.core.platform.session import early_capture_possible

        if early_capture_possible():
            from capture_app.core.evidence.grab_process import start_early_capture

            # The screen as it was: grabbed while Qt loads (by a process of its own, or a thread),
            # before any window of ours.
            screen = start_early_capture()
    from capture_app.ui.platform.single_instance import claim_for_start

    # Before any window, under the start-up lock: a start that came up at the same moment as
    # another (or while it was still starting) hands its request over there and ends.
    instance = claim_for_start(command, language=getattr(args, "lang", None))
    if isinstance(instance, int):
        return instance
    from capture_app.ui.app import run

    return run(start_report=args.command == "report", language=getattr(args, "lang", None),
               exit_when_shown=getattr(args, "exit_when_shown", False),
               background=background, instance=instance, screen=screen)


if __name__ == "__main__":
    sys.exit(main())
