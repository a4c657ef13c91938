"""Child process for the outbox tests: sends the queue of a data folder to a ticket server.

Usage: ``python outbox_child.py <root folder> <endpoint url> <max seconds> <until>``.
It imports everything, prints ``ready`` and waits for ``go`` on stdin, then sends whatever is
due, one report after the other, exactly as the app's background sender does. ``until`` is
``empty`` (stop when nothing is due), ``killed`` (keep polling until killed or ``max seconds``
pass) or ``zygote`` (fork a fresh sender process per request, for the kill test). It ends
quietly when stdin closes before ``go``.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/, for sendhelpers

from sendhelpers.reports import paths_for  # noqa: E402

from capture_app.core.platform.secrets import Secret  # noqa: E402
from capture_app.core.report.drafts import DraftStore  # noqa: E402
from capture_app.core.sending.outbox import Outbox  # noqa: E402
from capture_app.core.sending.service import OutboxSender  # noqa: E402
from capture_app.core.sending.transports.http import HttpSettings, HttpTransport  # noqa: E402

TOKEN = "kill-test-token"


def send_loop(root: Path, url: str, max_seconds: float, until: str) -> None:
    transport = HttpTransport(HttpSettings(endpoint=url, auth="bearer", connect_timeout=5,
                                           read_timeout=10), Secret(TOKEN))
    deadline = time.monotonic() + max_seconds
    with DraftStore(paths_for(root)) as store, Outbox(store) as outbox:
        sender = OutboxSender(outbox, lambda: transport)
        while time.monotonic() < deadline:
            outcome = sender.send_next()
            if outcome is not None:
                print(f"{outcome.state} {outcome.report_id}", flush=True)
                continue
            if until == "empty" and outbox.queued_count() == 0:
                break
            time.sleep(0.005)
    print("done", flush=True)


def preload() -> None:
    """What the app has loaded long before it sends: a kill should hit sending, not importing."""
    import requests  # noqa: F401
    import requests_toolbelt.multipart.encoder  # noqa: F401
    import truststore  # noqa: F401

    import capture_app.core.platform.net
    import capture_app.core.sending.bundle  # noqa: F401


def zygote(root: Path, url: str, max_seconds: float) -> None:
    """Fork one sender per ``fork <output file>`` line (imports paid once); ``wait <pid>`` reaps.

    Each forked sender is a complete process of its own that the test kills with SIGKILL.
    """
    preload()
    print("ready", flush=True)
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "fork":
            pid = os.fork()
            if pid == 0:
                try:
                    out = os.open(argument, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                    os.dup2(out, 1)
                    os.dup2(out, 2)
                    sys.stdout = os.fdopen(1, "w", buffering=1)
                    sys.stderr = os.fdopen(2, "w", buffering=1)
                    send_loop(root, url, max_seconds, "killed")
                except BaseException:  # noqa: BLE001 - reported through the output file
                    import traceback

                    traceback.print_exc()
                finally:
                    os._exit(0)
            print(pid, flush=True)
        elif command == "wait":
            _, status = os.waitpid(int(argument), 0)
            print(f"status {status}", flush=True)
        else:
            break


def main() -> None:
    root, url, max_seconds, until = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4]
    if until == "zygote":
        zygote(root, url, max_seconds)
        return
    preload()
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return
    send_loop(root, url, max_seconds, until)


if __name__ == "__main__":
    main()
