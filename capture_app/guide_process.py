"""The console guide's own process: one pywebview window that can stay beside the browser.

    python -m capture_app.guide_process --url file:///…/guide.de.html#chrome-windows --title …
    capture-app guide-window --url …            (the same, in a packaged app)

pywebview ends the Qt application when its last window closes, so it never runs inside the
app's event loop. This process must not outlive the app: it reads commands from stdin (one JSON
object per line: ``{"url": …}`` shows another section), and when stdin reaches its end — the app
closed it or died — the window closes and the process exits. On POSIX the parent pid is watched
as well.

Events go to stdout as JSON lines: ``{"event": "loaded", "title": …}`` once the page is shown
(the window is titled after the section, from the page itself), ``{"event": "no-backend", …}``
with exit code 3 when no webview can be started, so the app falls back to its text view.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time

EXIT_NO_BACKEND = 3
POLL_SECONDS = 0.5


def emit(event: str, **fields) -> None:
    try:
        print(json.dumps({"event": event, **fields}), flush=True)
    except (OSError, ValueError):
        pass  # nobody listens any more


def default_gui() -> str | None:
    # On Linux our own Qt (QtWebEngine) is the backend; elsewhere pywebview picks the native one
    # (WebView2 on Windows, WebKit on macOS).
    return "qt" if sys.platform.startswith("linux") else None


def prepare_environment(gui: str | None) -> None:
    if gui == "qt":
        os.environ.setdefault("QT_API", "pyside6")
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            # Chromium's sandbox refuses to run as root (CI containers, kiosk setups).
            os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")


class Guide:
    def __init__(self, window, parent_pid: int | None) -> None:
        self.window = window
        self.parent_pid = parent_pid
        self.title = ""
        self.closing = threading.Event()

    def start(self) -> None:
        """Runs once the GUI loop is up (pywebview calls it in its own thread)."""
        for target in (self.read_commands, self.watch_parent, self.follow_title):
            threading.Thread(target=target, daemon=True).start()

    def follow_title(self) -> None:
        """The page names itself after the shown section; the window takes that name."""
        first = True
        while not self.closing.is_set():
            try:
                title = self.window.evaluate_js("document.title")
            except Exception:  # noqa: BLE001 - page not ready or window gone
                title = None
            if isinstance(title, str) and title and title != self.title:
                self.title = title
                self.window.set_title(title)
                url = self.window.get_current_url() or ""
                emit("loaded" if first else "title", title=title, url=url)
                first = False
            time.sleep(POLL_SECONDS)

    def read_commands(self) -> None:
        for line in sys.stdin:
            try:
                command = json.loads(line)
            except ValueError:
                continue
            if isinstance(command, dict) and isinstance(command.get("url"), str):
                try:
                    self.navigate(command["url"])
                    self.window.restore()
                    self.window.show()
                except Exception as exc:  # noqa: BLE001 - the window may be closing
                    emit("error", reason=type(exc).__name__)
        self.shut_down("stdin closed")

    def navigate(self, url: str) -> None:
        """Another section of the page on screen is one change of its address's fragment (a
        reload would lose the scroll position and flash); another page is loaded."""
        page, _, section = url.partition("#")
        current = (self.window.get_current_url() or "").partition("#")[0]
        if section and page == current:
            self.window.evaluate_js(f"window.location.hash = {json.dumps('#' + section)}")
        else:
            self.window.load_url(url)

    def watch_parent(self) -> None:
        if self.parent_pid is None or os.name == "nt":
            return
        while not self.closing.is_set():
            if os.getppid() != self.parent_pid:
                self.shut_down("parent gone")
                return
            time.sleep(1)

    def shut_down(self, reason: str) -> None:
        if self.closing.is_set():
            return
        self.closing.set()
        emit("closing", reason=reason)
        try:
            self.window.destroy()
        except Exception:  # noqa: BLE001
            pass
        # If the GUI loop does not end by itself, end the process: it must not outlive the app.
        timer = threading.Timer(5.0, lambda: os._exit(0))
        timer.daemon = True
        timer.start()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="capture-app guide-window")
    parser.add_argument("--url", required=True)
    parser.add_argument("--title", default="Report Capture")
    parser.add_argument("--parent-pid", type=int, default=None)
    parser.add_argument("--gui", default=None, help="pywebview backend (qt, gtk, edgechromium, cocoa)")
    parser.add_argument("--width", type=int, default=580)
    parser.add_argument("--height", type=int, default=820)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    gui = args.gui or default_gui()
    prepare_environment(gui)
    try:
        import webview
        from webview.errors import WebViewException
    except Exception as exc:  # noqa: BLE001 - not installed, or broken
        emit("no-backend", reason=f"{type(exc).__name__}: {exc}")
        return EXIT_NO_BACKEND
    window = webview.create_window(args.title, args.url, width=args.width, height=args.height,
                                   text_select=True, min_size=(360, 400))
    guide = Guide(window, args.parent_pid)
    try:
        # gui is one of pywebview's backend names (from --gui or default_gui())
        webview.start(guide.start, gui=gui, private_mode=True)  # type: ignore[arg-type]
    except WebViewException as exc:
        emit("no-backend", reason=str(exc))
        return EXIT_NO_BACKEND
    except ImportError as exc:
        emit("no-backend", reason=f"{type(exc).__name__}: {exc}")
        return EXIT_NO_BACKEND
    emit("closed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
