"""Running a program for a probe: bounded in time, quiet, and never left behind.

A browser that hangs on ``--version`` (or a wrapper script that starts children) must not keep
the probe waiting: the program runs in its own process group, which is killed as a whole when
the time is up. ``CommandRunner`` is the adapter probes receive, so that tests can answer
commands of other systems (``system_profiler``) with output recorded there.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

MAX_OUTPUT = 4 * 1024 * 1024  # system_profiler's JSON is large; anything beyond this is not an answer


@dataclass(frozen=True)
class CommandResult:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


class CommandError(Exception):
    """A program could not give an answer; ``reason_key``/``params`` name why (``probes.reason.*``)."""

    def __init__(self, reason_key: str, **params: Any) -> None:
        super().__init__(reason_key)
        self.reason_key = reason_key
        self.params = params


CommandRunner = Callable[[Sequence[str], float], CommandResult]


def _kill_group(process: subprocess.Popen[Any]) -> None:
    try:
        if sys.platform == "win32":
            process.kill()
        else:
            os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass


def run_command(argv: Sequence[str], timeout: float, *, env: dict[str, Any] | None = None) -> CommandResult:
    """Run ``argv`` for at most ``timeout`` seconds; raises ``CommandError`` when there is no answer.

    A non-zero exit status is returned, not raised: some tools print useful output and fail.
    """
    program = argv[0]
    resolved = program if os.path.isabs(program) else shutil.which(program, path=(env or os.environ).get("PATH"))
    if not resolved or not os.path.exists(resolved):
        raise CommandError("command_missing", command=program)
    kwargs: dict[str, Any] = {}
    if sys.platform == "win32":
        kwargs["creationflags"] = getattr(subprocess, "CREATE_NO_WINDOW", 0) | getattr(
            subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
    else:
        kwargs["start_new_session"] = True  # its own process group: killed as a whole
    try:
        process = subprocess.Popen([resolved, *argv[1:]], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, **kwargs)
    except OSError as exc:
        raise CommandError("command_failed", command=program,
                           error=exc.strerror or type(exc).__name__) from None
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        try:
            process.communicate(timeout=1.0)
        except subprocess.TimeoutExpired:  # a grandchild still holds the pipes; give up on them
            pass
        raise CommandError("command_timeout", command=program, seconds=_seconds(timeout)) from None
    finally:
        if process.poll() is None:
            _kill_group(process)
    return CommandResult(tuple(argv), process.returncode, _text(out[:MAX_OUTPUT]), _text(err[:MAX_OUTPUT]))


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _seconds(value: float) -> str:
    return f"{value:g}"
