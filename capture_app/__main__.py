"""Command line: ``capture-app`` (main window), ``capture-app report`` (straight into the wizard).

Qt and everything slow is imported only once it is known to be needed, so ``--version`` and
``--help`` answer at once and the wizard appears quickly.
"""
from __future__ import annotations

import argparse
import os
import sys

from capture_app import APP_NAME, __version__


def build_parser() -> argparse.ArgumentParser:
    # Options valid before and after the command: "capture-app --lang en report" and
    # "capture-app report --lang en" both work.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=("de", "en"), default=argparse.SUPPRESS,
                        help="Sprache der Oberfläche für diesen Start / interface language")
    common.add_argument("--exit-when-shown", action="store_true", default=argparse.SUPPRESS,
                        help=argparse.SUPPRESS)
    parser = argparse.ArgumentParser(
        prog="capture-app", parents=[common],
        description=f"{APP_NAME}: Probleme mit Flexperto erfassen und an den Support melden.")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("report", parents=[common],
                        help="Gleich mit einer neuen Meldung beginnen / start a new report")
    return parser


def _display_missing() -> bool:
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if _display_missing():
        print("Report Capture braucht eine grafische Oberfläche, es ist aber keine Anzeige "
              "(DISPLAY/WAYLAND_DISPLAY) gesetzt. Starten Sie die App in Ihrer Desktop-Sitzung.\n"
              "Report Capture needs a graphical session, but no display is set. Start the app "
              "from your desktop session.", file=sys.stderr)
        return 2
    from capture_app.ui.app import run

    return run(start_report=args.command == "report", language=getattr(args, "lang", None),
               exit_when_shown=getattr(args, "exit_when_shown", False))


if __name__ == "__main__":
    sys.exit(main())
