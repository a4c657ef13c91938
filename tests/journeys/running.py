"""The app under test on its own X session, driven by ``driver.py``: one journey after the other."""
from __future__ import annotations

import json
import select
import subprocess
import sys
import time
from pathlib import Path

from journeys.xsession import XSession

DRIVER = Path(__file__).with_name("driver.py")
JOURNEY_TIMEOUT_S = 240


class RunningApp:
    """The app on its own X session, taking one journey after the other."""

    def __init__(self, language: str, width: int, height: int, work: Path, shots: Path | None,
                 *, sending: str | None = None, **env: str):
        """``sending``: the TOML of the agent's [sending] settings (default: into a folder);
        ``env``: more of the app's environment."""
        self.language, self.size = language, (width, height)
        self.work = work
        self.session = XSession(width, height).__enter__()
        self.log = (work / "driver.log").open("w", encoding="utf-8")
        command = [sys.executable, str(DRIVER), "--lang", language, "--work", str(work)]
        if shots is not None:
            command += ["--shots", str(shots / f"{language}-{width}x{height}")]
        if sending is not None:
            (work / "sending.toml").write_text(sending, encoding="utf-8")
            command += ["--sending", str(work / "sending.toml")]
        self.process = subprocess.Popen(
            command, env=self.session.env(PYTHONUNBUFFERED="1", **env), stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self.log, text=True, encoding="utf-8")

    def alive(self) -> bool:
        return self.process.poll() is None

    def run(self, spec: dict) -> dict:
        self.process.stdin.write(json.dumps(spec) + "\n")
        self.process.stdin.flush()
        deadline = time.monotonic() + JOURNEY_TIMEOUT_S
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.process.stdout], [], [], 1.0)
            if not ready:
                if not self.alive():
                    break
                continue
            line = self.process.stdout.readline()
            if not line:
                break
            if line.startswith("JOURNEY "):
                return json.loads(line[len("JOURNEY "):])
        self.stop()
        log = (self.work / "driver.log").read_text(encoding="utf-8", errors="replace")[-4000:]
        return {"ok": False, "error": f"the app ended or hung during the journey:\n{log}"}

    def stop(self) -> None:
        if self.alive():
            try:
                self.process.stdin.close()
                self.process.wait(20)
            except (subprocess.TimeoutExpired, BrokenPipeError, OSError):
                self.process.kill()
                self.process.wait(10)
        self.log.close()
        self.session.__exit__(None, None, None)
