"""What a screen reader finds in the app, read over AT-SPI (run by test_screen_reader.py with
Debian's python3, which has pyatspi, inside the same private D-Bus session as the app).

    python3 atspi_reader.py APP_NAME COMMAND...

Starts COMMAND (the app; it prints "ready" once its window is up), reads, stops it. Prints one
JSON line: every combo box's name and value and the labels that label it, and the
name and description of the wizard's list of problems.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time

import pyatspi


def walk(node, depth: int = 0):
    if node is None or depth > 60:
        return
    yield node
    for index in range(node.childCount):
        try:
            child = node.getChildAtIndex(index)
        except Exception:  # noqa: BLE001 - a node that went away while walking
            continue
        yield from walk(child, depth + 1)


def find_app(name: str, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        desktop = pyatspi.Registry.getDesktop(0)
        for index in range(desktop.childCount):
            app = desktop.getChildAtIndex(index)
            if app is not None and app.name == name:
                return app
        time.sleep(0.2)
    raise SystemExit(f"no application {name!r} on the accessibility bus")


def main() -> None:
    launched = subprocess.Popen(sys.argv[2:], stdout=subprocess.PIPE, text=True)
    try:
        if launched.stdout.readline().strip() != "ready":
            raise SystemExit("the app did not start")
        read(find_app(sys.argv[1]))
    finally:
        launched.terminate()
        launched.wait(20)


def read(app) -> None:
    combos, problems = [], []
    for node in walk(app):
        role = node.getRole()
        if role == pyatspi.ROLE_COMBO_BOX and node.getState().contains(pyatspi.STATE_SHOWING):
            labels = [target.name for relation in node.getRelationSet()
                      if relation.getRelationType() == pyatspi.RELATION_LABELLED_BY
                      for target in (relation.getTarget(i) for i in range(relation.getNTargets()))]
            combos.append({"name": node.name, "labels": labels})
        if role == pyatspi.ROLE_LABEL and node.name in ("Hinweise zu diesem Schritt",):
            problems.append({"name": node.name, "description": node.description})
    print(json.dumps({"combos": combos, "problems": problems}), flush=True)


if __name__ == "__main__":
    main()
