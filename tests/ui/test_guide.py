"""The console guide in a real webview child process on a real X server (Xvfb), one section after
another; the text view when pywebview has no backend; and a guide process that ends with the app.

Rendering is proven twice: the window is titled after the section by the page's own script
(read back with ``xwininfo``), and a screenshot of the X screen (ImageMagick's ``import``) shows
the section's own colour — the drawings and the heading band of that browser — and no other's.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from array import array
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from xdisplay import XServer, xcb_env

from capture_app.ui.guide import sections
from capture_app.ui.guide.launcher import GuideLauncher

pytestmark = pytest.mark.gui

HERE = Path(__file__).parent
BRANDS = {"chrome": 0x1A73E8, "edge": 0x0F7B6C, "firefox": 0xE25920, "safari": 0x7A3CC4}
CASES = [  # what the probes say → section → window title
    ("Google Chrome", "Windows 11", "chrome-windows", "Google Chrome unter Windows – Konsolen-Anleitung"),
    ("Chrome", "macOS 14.5", "chrome-macos", "Google Chrome unter macOS – Konsolen-Anleitung"),
    ("Chromium", "Ubuntu 24.04", "chrome-linux", "Google Chrome unter Linux – Konsolen-Anleitung"),
    ("Microsoft Edge", "Windows 10", "edge-windows", "Microsoft Edge unter Windows – Konsolen-Anleitung"),
    ("Edge", "macOS", "edge-macos", "Microsoft Edge unter macOS – Konsolen-Anleitung"),
    ("Mozilla Firefox", "Windows", "firefox-windows", "Mozilla Firefox unter Windows – Konsolen-Anleitung"),
    ("Firefox ESR", "Mac OS X", "firefox-macos", "Mozilla Firefox unter macOS – Konsolen-Anleitung"),
    ("firefox", "linux", "firefox-linux", "Mozilla Firefox unter Linux – Konsolen-Anleitung"),
    ("Safari", "iPadOS 17.5", "safari-macos", "Safari unter macOS – Konsolen-Anleitung"),
]


@pytest.fixture
def x_tools():
    missing = [tool for tool in ("Xvfb", "import", "xwininfo") if shutil.which(tool) is None]
    assert not missing, f"{missing} missing: `python3 dev.py test` installs xvfb, imagemagick, x11-utils"


def window_names(display: str) -> str:
    return subprocess.run(["xwininfo", "-root", "-tree"], env=dict(os.environ, DISPLAY=display),
                          capture_output=True, text=True, timeout=20).stdout


def colour_counts(display: str, shot: Path) -> dict[str, int]:
    subprocess.run(["import", "-window", "root", str(shot)], env=dict(os.environ, DISPLAY=display),
                   check=True, timeout=30)
    image = QImage(str(shot)).convertToFormat(QImage.Format_RGB32)
    pixels = array("I", bytes(image.constBits()))  # 0xffRRGGBB, one per pixel
    return {name: pixels.count(0xFF000000 | rgb) for name, rgb in BRANDS.items()}


def shows_only(counts: dict[str, int], brand: str) -> bool:
    """The section's drawings are on screen (a 640×44 band each), nothing of another browser."""
    return counts[brand] > 8000 and all(n < 300 for name, n in counts.items() if name != brand)


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"  # a zombie has ended; only its exit status waits to be collected


def test_sections_follow_the_probe_names():
    for browser, system, section, _ in CASES:
        assert sections.section_for(browser, system) == section
    assert sections.section_for(None, "Windows") == "overview"
    assert sections.section_for("Microsoft Edge", "Linux") == "edge-windows"  # the same steps
    ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0"
    assert sections.section_for(ua, ua) == "edge-windows"
    html = sections.guide_file("de").read_text(encoding="utf-8")
    for section in sections.SECTIONS | {"overview"}:
        assert f'id="{section}"' in html and f'id="{section}"' in sections.guide_file("en").read_text("utf-8")


def test_the_short_version_for_end_users_never_names_the_support_address():
    for language in ("de", "en"):
        text = sections.short_text(language)
        assert "F12" in text and "Cmd + Option + J" in text
        assert "@" not in text  # support@flexperto.com is for 1st-level agents only
        assert "@" not in sections.guide_file(language, short=True).read_text(encoding="utf-8")


def test_every_section_is_rendered_in_a_real_webview_child_process(qtbot, tmp_path, x_tools):
    with XServer(1280, 900) as x:
        launcher = GuideLauncher(child_env=xcb_env(x.display))
        pids = set()
        try:
            for browser, system, section, title in CASES:
                with qtbot.waitSignal(launcher.loaded, timeout=120_000,
                                      check_params_cb=lambda shown, title=title: shown == title):
                    assert launcher.show(browser, system) == "webview"
                pids.add(launcher.child_pid())
                assert f'"{title}"' in window_names(x.display)
                brand = section.split("-")[0]
                for _ in range(40):  # painting may trail the title by a few frames
                    counts = colour_counts(x.display, tmp_path / f"{section}.png")
                    if shows_only(counts, brand):
                        break
                    qtbot.wait(250)
                assert shows_only(counts, brand), (section, counts)
            # English, from the same window: the language of the app at the moment it is opened.
            from capture_app.core.platform import i18n
            i18n.set_language("en")
            with qtbot.waitSignal(launcher.loaded, timeout=60_000,
                                  check_params_cb=lambda shown: shown == "Mozilla Firefox on Linux – Console guide"):
                launcher.show("Firefox", "Linux")
            assert len(pids) == 1  # one guide window, shown at each section in turn
            pid = pids.pop()
        finally:
            launcher.close()
        deadline = time.monotonic() + 15
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(pid)
        assert '"Mozilla Firefox on Linux – Console guide"' not in window_names(x.display)


def test_the_guide_process_ends_when_the_app_is_killed(tmp_path, x_tools):
    with XServer(1024, 768) as x:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", REPORT_CAPTURE_HOME=str(tmp_path),
                   PYTHONPATH=os.pathsep.join([str(HERE.parents[1]), os.environ.get("PYTHONPATH", "")]))
        parent = subprocess.Popen([sys.executable, str(HERE / "guide_parent.py"), x.display],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        try:
            line = parent.stdout.readline()
            assert line, f"the guide never loaded (parent exit {parent.poll()})"
            event = json.loads(line)
            child = event["child"]
            assert event["title"] == "Google Chrome unter Windows – Konsolen-Anleitung" and alive(child)
            parent.send_signal(signal.SIGKILL)  # no clean-up of any kind
            parent.wait(10)
            deadline = time.monotonic() + 20
            while alive(child) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not alive(child), "the guide outlived the app"
        finally:
            if parent.poll() is None:
                parent.kill()
                parent.wait(10)
            parent.stdout.close()


def test_without_a_webview_backend_the_guide_opens_in_the_text_view(qtbot, tmp_path, x_tools):
    # pywebview is installed, but its backend is not: "qtpy" (pywebview's way to QtWebEngine)
    # cannot be imported, and there is no GTK either.
    shadow = tmp_path / "shadow"
    (shadow / "qtpy").mkdir(parents=True)
    (shadow / "qtpy" / "__init__.py").write_text('raise ImportError("No Qt bindings with QtWebEngine")\n')
    with XServer(1024, 768) as x:
        launcher = GuideLauncher(child_env=xcb_env(x.display, PYTHONPATH=str(shadow)))
        with qtbot.waitSignal(launcher.fell_back, timeout=60_000) as fallback:
            assert launcher.show("Mozilla Firefox", "Linux") == "webview"  # tried first
        window = launcher.text_window
        qtbot.addWidget(window)
        assert "keine Web-Ansicht verfügbar" in fallback.args[0]
        assert window.isVisible() and not window.notice.isHidden()
        assert window.section() == "firefox-linux"
        assert "Netzwerkanalyse" in window.browser.toPlainText()
        scrolled = window.browser.verticalScrollBar().value()
        assert scrolled > 0  # at the Firefox section, not at the top
        assert "Cmd + Option + K" in window.copy_short_version()
        from PySide6.QtWidgets import QApplication
        assert QApplication.clipboard().text().startswith("So sichern Sie die Fehlermeldungen")
        assert not launcher.running()


def test_when_pywebview_is_not_installed_the_text_view_opens_at_once(qtbot):
    launcher = GuideLauncher(available=lambda: False)
    assert launcher.show("Safari", "macOS") == "text"
    qtbot.addWidget(launcher.text_window)
    assert launcher.text_window.section() == "safari-macos"
    assert launcher.child_pid() == 0  # no process was started
