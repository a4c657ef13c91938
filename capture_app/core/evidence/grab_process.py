"""``capture-app report``'s first screenshot, taken by a short-lived process of its own (Linux).

Grabbing the screen with mss in a thread of the starting app costs about 80 ms of Python work
before the pixels are there (importing mss's X bindings, finding the system libraries, opening
the connection), and that work competes with loading Qt for Python's lock: the wizard of
``capture-app report`` came about 70 ms later with the grab than without it. In a process of
its own the same work runs on another core while Qt loads.

The app hands the child an anonymous in-memory file (``memfd``) as file descriptor 3. The child
grabs the whole desktop, writes the pixels (BGRA rows) into that file, then one line of JSON to
its standard output (the picture's size, place, monitors and moment, or the error), and ends.
The app reads the line only when the wizard needs the picture (:meth:`ChildCapture.result`),
and maps the file as the picture's pixels, without copying them; until then no thread of the
app is woken for it. A child still grabbing when it is no longer wanted is ended
(:meth:`ChildCapture.discard`, a time-out in :meth:`~ChildCapture.result`); one stuck with
nobody asking ends itself after ``CHILD_LIFETIME_S``.

    python -m capture_app.core.evidence.grab_process     (from the sources)
    capture-app grab-screen                               (the same, in a packaged app)

This module is imported before Qt on the way to the wizard: it imports nothing slow until the
child has been started.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from capture_app.core.platform.helper_process import helper_command
from capture_app.core.platform.session import early_capture_possible, session_kind

if TYPE_CHECKING:
    from capture_app.core.evidence.screenshot import Capture, EarlyCapture, ScreenshotError

CHILD_LIFETIME_S = 120  # a child whose answer nobody reads ends by itself
PIXELS_FD = 3  # where the child finds the in-memory file for the pixels
MAX_ANSWER_BYTES = 65536  # the answer line: a few hundred bytes, even with many monitors


def start_early_capture(env: Mapping[str, str] | None = None) -> ChildCapture | EarlyCapture | None:
    """Start grabbing now if this session can be grabbed without asking anyone (mss).

    On Linux (X11) in a process of its own, so loading mss does not hold up loading Qt; where
    that process cannot be started, and on Windows and macOS, in a thread of this process (a new
    process there can be held up by a virus scanner, or need a screen-recording permission of
    its own).
    """
    if not early_capture_possible(env):
        return None
    if session_kind(env) == "x11" and hasattr(os, "memfd_create") and hasattr(os, "posix_spawn"):
        try:
            return ChildCapture()
        except OSError:
            pass
    from capture_app.core.evidence.screenshot import EarlyCapture

    return EarlyCapture()


def child_command() -> list[str]:
    return helper_command("grab-screen", "capture_app.core.evidence.grab_process")


class ChildCapture:
    """A grab of the whole desktop in a child process; ``result(timeout)`` and ``discard()`` as
    :class:`~capture_app.core.evidence.screenshot.EarlyCapture`'s.

    Raises OSError when the child cannot be started (the caller grabs in a thread instead).
    """

    def __init__(self, command: list[str] | None = None) -> None:
        command = command or child_command()
        self._pixels = os.memfd_create("report-capture-screen", os.MFD_CLOEXEC)
        try:
            read_end, write_end = os.pipe()
        except OSError:
            os.close(self._pixels)
            raise
        try:
            self.pid = os.posix_spawn(command[0], command, os.environ, file_actions=[
                (os.POSIX_SPAWN_DUP2, write_end, 1), (os.POSIX_SPAWN_DUP2, self._pixels, PIXELS_FD)])
        except BaseException:
            os.close(read_end)
            os.close(self._pixels)
            raise
        finally:
            os.close(write_end)
        self._answer = read_end
        self._outcome: Capture | ScreenshotError | None = None

    def result(self, timeout: float = 10.0) -> Capture:
        """The picture, once the child has taken it; ScreenshotError with the child's reason,
        or when it gives no answer within ``timeout`` seconds (then it is ended)."""
        from capture_app.core.evidence.screenshot import ScreenshotError

        if self._outcome is None:
            try:
                self._outcome = self._receive(timeout)
            except ScreenshotError as exc:
                self._outcome = exc
            finally:
                self._end()
        if isinstance(self._outcome, ScreenshotError):
            raise self._outcome
        return self._outcome

    def discard(self) -> None:
        """Not needed after all (the setting is off): the child ends, its picture unread."""
        from capture_app.core.evidence.screenshot import ScreenshotError

        if self._outcome is None:
            self._outcome = ScreenshotError("screenshot.failed", detail="not needed")
            self._end()

    def _receive(self, timeout: float) -> Capture:
        from capture_app.core.evidence.screenshot import ScreenshotError

        line = self._answer_line(timeout)
        try:
            return self._picture(line)
        except (ValueError, TypeError, KeyError) as exc:  # not an answer this module writes
            raise ScreenshotError("screenshot.failed",
                                  detail=f"unreadable answer from the screenshot process "
                                         f"({type(exc).__name__})") from exc

    def _answer_line(self, timeout: float) -> bytes:
        import select
        import time

        from capture_app.core.evidence.screenshot import ScreenshotError

        deadline = time.monotonic() + timeout
        answer = bytearray()
        while not answer.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._answer], [], [], remaining)[0]:
                raise ScreenshotError("screenshot.failed", detail=f"no answer after {timeout:g} s")
            piece = os.read(self._answer, 65536)
            if not piece:
                raise ScreenshotError("screenshot.failed",
                                      detail="the screenshot process ended without an answer")
            answer += piece
            if len(answer) > MAX_ANSWER_BYTES:
                raise ScreenshotError("screenshot.failed",
                                      detail="unreadable answer from the screenshot process")
        return bytes(answer)

    def _picture(self, line: bytes) -> Capture:
        import json
        import mmap
        from datetime import datetime

        from capture_app.core.evidence.screenshot import Capture, Monitor, ScreenshotError

        facts = json.loads(line)
        if "error" in facts:
            key, params = str(facts["error"]), dict(facts.get("params") or {})
            if not key.startswith("screenshot."):
                raise ValueError(key)
            raise ScreenshotError(key, **{str(name): value for name, value in params.items()})
        width, height = int(facts["width"]), int(facts["height"])
        if width <= 0 or height <= 0:
            raise ValueError(f"{width} × {height}")
        size = width * height * 4
        written = os.fstat(self._pixels).st_size
        if written < size:  # (mapping beyond the end would crash on the first read there)
            raise ScreenshotError("screenshot.failed",
                                  detail=f"{written} bytes of pixels instead of {size}")
        # Not copied: the in-memory file is mapped, its pages set up at once (a copy of 8 MB
        # costs the wizard several milliseconds); the mapping lives as long as the picture.
        pixels = memoryview(mmap.mmap(self._pixels, size, prot=mmap.PROT_READ,
                                      flags=mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0)))
        monitors = tuple(Monitor(**monitor) for monitor in facts["monitors"])
        taken_at = datetime.fromisoformat(facts["taken_at"])
        if taken_at.tzinfo is None:
            raise ValueError("a moment without its time zone")
        return Capture(width, height, pixels, int(facts["left"]), int(facts["top"]), monitors,
                       taken_at)

    def _end(self) -> None:
        import signal

        os.close(self._answer)
        os.close(self._pixels)  # the child's copy goes with the child
        try:  # done, or stuck: either way it goes now (it holds nothing to clean up)
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)


def main() -> int:
    """The child: grab, write the pixels to ``PIXELS_FD`` and the answer to standard output."""
    import json
    import signal

    from capture_app.core.evidence.screenshot import ScreenshotError, error_detail, grab

    if hasattr(signal, "alarm"):
        signal.alarm(CHILD_LIFETIME_S)  # nobody reads the answer: do not wait for ever
    try:
        shot = grab("desktop")
        with open(PIXELS_FD, "wb", closefd=False) as pixels:
            pixels.write(shot.pixels)
    except ScreenshotError as exc:
        facts: dict[str, object] = {"error": exc.key, "params": exc.params}
    except Exception as exc:  # noqa: BLE001 - told to the app, which says the screen was not taken
        facts = {"error": "screenshot.failed", "params": {"detail": error_detail(exc)}}
    else:
        facts = {"width": shot.width, "height": shot.height, "left": shot.left, "top": shot.top,
                 "monitors": [vars(monitor) for monitor in shot.monitors],
                 "taken_at": shot.taken_at.isoformat()}
    try:
        sys.stdout.buffer.write(json.dumps(facts, default=str).encode() + b"\n")
        sys.stdout.flush()
    except OSError:  # the app no longer wants it (a broken pipe)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # nothing left to flush at the end
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
