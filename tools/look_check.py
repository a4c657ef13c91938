#!/usr/bin/env python3
"""The look check: every window and wizard step as an agent sees it, on a 1280×720 laptop and a
1920×1080 desktop (each with a 40 px taskbar), in German and English, light and dark.

    python tools/look_check.py OUTDIR      a PNG of every screen into OUTDIR, then what is wrong

Each screen size runs on its own Xvfb (with ``_NET_WORKAREA`` set as a taskbar would), in a
child process with its own data folder. Every screen is checked for what an agent would notice:
a widget cut off by its parent or smaller than its own content, two visible widgets side by side
that overlap, a column heading shortened without a tooltip, and a window larger than the
screen's free area. It prints the number of screens covered and every finding, and exits 1 if
there is any. ``tests/ui/test_look.py`` runs the same walk and the same checks.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = ((1280, 720), (1920, 1080))
LANGUAGES = ("de", "en")
SCHEMES = ("light", "dark")
TASKBAR = 40  # the free area ends this far above the bottom of the screen
# The clock of the support status: a Wednesday morning and a Sunday afternoon.
OPEN = datetime(2026, 11, 25, 9, 30, tzinfo=timezone.utc)
CLOSED = datetime(2026, 11, 29, 13, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Finding:
    screen: str  # e.g. "1280x720 de dark: wizard-details"
    kind: str  # clipped | too-small | overlap | heading | off-screen
    detail: str

    def __str__(self) -> str:
        return f"{self.screen}: {self.kind}: {self.detail}"


# --- the checks (any Qt platform) -----------------------------------------------------------


def describe(widget) -> str:
    """A widget as a person finds it: its class, name and text."""
    text = ""
    for getter in ("text", "title", "windowTitle", "accessibleName", "placeholderText"):
        value = getattr(widget, getter, None)
        if callable(value):
            value = value()
        if isinstance(value, str) and value.strip():
            text = value.replace("\n", " ")[:50]
            break
    name = widget.objectName()
    return f"{type(widget).__name__}{'#' + name if name else ''}" + (f" '{text}'" if text else "")


def _scrolled(widget) -> bool:
    """True for the content of a scroll area (and of item views): it is cut off on purpose."""
    from PySide6.QtWidgets import QAbstractScrollArea

    parent = widget.parentWidget()
    area = parent.parentWidget() if parent is not None else None
    return isinstance(area, QAbstractScrollArea) and area.viewport() is parent


def _shown_children(widget) -> list:
    from PySide6.QtWidgets import QWidget

    return [child for child in widget.children()
            if isinstance(child, QWidget) and not child.isWindow() and child.isVisibleTo(widget)
            and not child.isHidden()]


def _content_fits(widget) -> str | None:
    """Labels and buttons must be at least as large as their text (else letters are cut)."""
    from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit

    if isinstance(widget.parentWidget(), QLineEdit):
        return None  # the clear button: the line edit sizes it to its own height
    if isinstance(widget, QLabel):
        if widget.wordWrap() or not widget.text() or (widget.pixmap() is not None and not widget.pixmap().isNull()):
            return None
    elif not isinstance(widget, QAbstractButton):
        return None
    need = widget.minimumSizeHint()
    if widget.width() < need.width() or widget.height() < need.height():
        return (f"{describe(widget)} is {widget.width()}×{widget.height()}, "
                f"its text needs {need.width()}×{need.height()}")
    return None


def check_widgets(window) -> Iterator[tuple[str, str]]:
    """(kind, detail) for every clipped, too small or overlapping widget in ``window``."""
    from PySide6.QtCore import QRect

    stack = [window]
    while stack:
        parent = stack.pop()
        children = _shown_children(parent)
        stack.extend(children)
        inside = QRect(0, 0, parent.width(), parent.height())
        for child in children:
            if not _scrolled(child) and not inside.contains(child.geometry()):
                yield "clipped", (f"{describe(child)} at {_rect(child.geometry())} is cut off by "
                                  f"{describe(parent)} of {parent.width()}×{parent.height()}")
            small = _content_fits(child)
            if small:
                yield "too-small", small
        if _scrolled_parent(parent):
            continue
        for index, first in enumerate(children):
            for second in children[index + 1:]:
                overlap = first.geometry().intersected(second.geometry())
                if overlap.width() > 0 and overlap.height() > 0:
                    yield "overlap", (f"{describe(first)} and {describe(second)} overlap by "
                                      f"{overlap.width()}×{overlap.height()} in {describe(parent)}")


def _scrolled_parent(widget) -> bool:
    from PySide6.QtWidgets import QAbstractItemView

    # An item view's viewport holds its editors and index widgets where the rows are.
    parent = widget.parentWidget()
    return isinstance(parent, QAbstractItemView) and parent.viewport() is widget


def check_headings(window) -> Iterator[tuple[str, str]]:
    from PySide6.QtWidgets import QHeaderView

    from capture_app.ui.platform.headers import elided_headings

    for header in window.findChildren(QHeaderView):
        if not header.isVisible():
            continue
        for _column, text, has_tooltip in elided_headings(header):
            if not has_tooltip:
                yield "heading", f"column heading '{text}' is shortened and has no tooltip"


def check_on_screen(window) -> Iterator[tuple[str, str]]:
    from capture_app.ui.platform.screen_fit import FRAME

    screen = window.screen()
    if screen is None:
        return
    free = screen.availableGeometry()
    frame = window.frameGeometry()
    if frame.size() == window.geometry().size():  # no window manager: count the frame it adds
        frame.setWidth(frame.width() + FRAME.width())
        frame.setHeight(frame.height() + FRAME.height())
    if not free.contains(frame):
        yield "off-screen", (f"window {describe(window)} with its frame at {_rect(frame)} "
                             f"exceeds the free area {_rect(free)}")


def check_window(window, screen: str) -> list[Finding]:
    found: list[tuple[str, str]] = []
    for check in (check_widgets, check_headings, check_on_screen):
        found.extend(check(window))
    return [Finding(screen, kind, detail) for kind, detail in found]


def _rect(rect) -> str:
    return f"{rect.x()},{rect.y()} {rect.width()}×{rect.height()}"


# --- the screens ----------------------------------------------------------------------------


def settle(ms: int = 60) -> None:
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    QTest.qWait(ms)


def use_scheme(dark: bool) -> None:
    """Light or dark as the desktop would switch it; where the platform ignores the request
    (a bare X server), the app's own theme is told directly."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    scheme = Qt.ColorScheme.Dark if dark else Qt.ColorScheme.Light
    app.styleHints().setColorScheme(scheme)
    try:
        from capture_app.ui.platform import theme
    except ImportError:
        return
    if app.styleHints().colorScheme() != scheme:
        themes = app.findChildren(theme.Theme) or [theme.install(app)]
        themes[0].follow(scheme)


def sample_image(width: int = 1280, height: int = 720):
    """A screenshot-like picture: a browser window with a title bar and text lines."""
    from PySide6.QtGui import QColor, QImage, QPainter

    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#f6f8fa"))
    painter = QPainter(image)
    painter.fillRect(0, 0, width, 48, QColor("#24292f"))
    painter.setPen(QColor("#24292f"))
    for row in range(12):
        painter.drawText(40, 100 + row * 40, f"Termin {4711 + row} – Videoberatung – Verbindung verloren")
    painter.end()
    return image


def escalated_report(summary: str):
    from capture_app.core.report.model import Report
    from capture_app.core.triage.catalogue import builtin_catalogue
    from capture_app.core.wizard.steps import choose_case

    report = Report.new(agent_timezone="Europe/Berlin")
    choose_case(report, builtin_catalogue().get("other_technical"))
    report.summary = summary
    d = report.description
    d.affected, d.affected_name, d.area = "advisor", "Berater M. Muster", "Kalender"
    d.what = "Termine aus Outlook erscheinen seit gestern nicht mehr im Flexperto-Kalender."
    d.steps, d.expected, d.actual = "1. Termin in Outlook anlegen\n2. 15 Minuten warten", \
        "Der Termin erscheint.", "Er erscheint nicht."
    d.frequency, d.affected_users, d.urgency = "always", "several", "high"
    report.occurred.mode = "exact"
    report.occurred.at = "2026-11-27T10:15:00+01:00"
    report.occurred.timezone = "Europe/Berlin"
    for side, browser in ((report.advisor_environment, "Chrome"), (report.customer_environment, "Safari")):
        side.device_type, side.browser = "laptop", browser
        side.os, side.os_version, side.browser_version = "Windows", "11", "131.0"
    return report


def with_screenshot(controller, report) -> None:
    from PySide6.QtCore import QBuffer, QIODevice

    from capture_app.core.report.model import EvidenceItem, new_id

    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    sample_image().save(buffer, "PNG")
    data = bytes(buffer.data().data())
    item = EvidenceItem(id=new_id(), kind="screenshot", filename="bildschirm.png",
                        media_type="image/png", size=0, sha256="", original_name="bildschirm.png",
                        title="Kalender ohne Termine", added_at="2026-11-27T14:00:00+00:00")
    item.size, item.sha256 = controller.store.store_attachment(report.id, item.id, data)
    report.evidence.append(item)
    controller.store.save(report)



def screens(controller) -> Iterator[tuple[str, object]]:  # Long: one entry per window, in order
    """(name, window) for every window and wizard step; each is on screen when yielded and
    closed when the walk moves on."""
    from capture_app.core.hours.support_hours import load_support_hours
    from capture_app.core.report.model import Report
    from capture_app.core.wizard.steps import applicable_steps

    main = controller.show_main_window()
    # The support status as the tray's presence gives it once the hours are loaded (the walk
    # runs without a tray): the panel as agents see it, not its "loading" line.
    hours, _problems = load_support_hours(controller.config)
    main.set_support_hours(hours, "Europe/Berlin")
    yield "main", main

    from capture_app.ui.identity_dialog import IdentityDialog

    identity = IdentityDialog(controller.config, main)
    identity.show()
    yield "identity", identity
    identity.close()

    from capture_app.ui.settings_dialog import SettingsDialog

    settings = SettingsDialog(controller.config, main)
    settings.show()
    for index in range(settings.tabs.count()):
        settings.tabs.setCurrentIndex(index)
        yield f"settings-{index + 1}", settings
    combo = settings.transport_box.editors["sending.transport"]
    settings.tabs.setCurrentWidget(settings.sending_tab)
    for transport in ("smtp", "http"):
        combo.setCurrentIndex(combo.findData(transport))
        yield f"settings-sending-{transport}", settings
    settings.close()

    outbox = controller.show_outbox()
    yield "outbox", outbox
    outbox.close()

    fresh = Report.new(agent_timezone="Europe/Berlin")
    wizard = controller.open_wizard(fresh)
    yield "wizard-start", wizard
    triage = wizard.page(applicable_steps(fresh)[0])
    for case, query in (("self-help", "Passwort vergessen"),
                        ("project-lead", "Welches Dokument darf verwendet werden"),
                        ("not-flexperto", "Druckereinstellungen")):
        triage.search.setText(query)
        settle(200)
        triage.focus_results(choose_first=True)
        yield f"wizard-triage-{case}", wizard
    wizard._discarding = True
    wizard.close()

    report = escalated_report("Kalender-Synchronisation fehlt seit gestern")
    controller.store.save(report)
    with_screenshot(controller, report)
    wizard = controller.open_wizard(report)
    for step in applicable_steps(report):
        if not wizard.go_to(step):
            raise RuntimeError(f"the walk's report does not reach {step.value}: {wizard.problems.text()}")
        settle(150)
        yield f"wizard-{step.value}", wizard
    yield from _dialogs_of(wizard, controller)
    wizard.wait_for_saves()
    wizard._discarding = True
    wizard.close()

    from capture_app.ui.guide import sections
    from capture_app.ui.guide.text_view import GuideTextWindow

    guide = GuideTextWindow()
    guide.open_url(sections.guide_url(language_now(), sections.section_for(None, None)), "")
    guide.show()
    yield "console-guide", guide
    guide.close()

    from capture_app.ui.evidence.console_import import ConsoleImportDialog
    from capture_app.ui.platform.tasks import run_in_background

    console = ConsoleImportDialog(run_in_background, main)
    console.show()
    yield "console-import", console
    console.close()

    from capture_app.ui.editor.dialog import EditorDialog

    editor = EditorDialog(sample_image(), title="bildschirm.png", parent=main, check_text=False)
    editor.show()
    yield "editor", editor
    editor.close()

    # Fixed instants (support open, then a Sunday when it is closed): the same screens at any
    # time of day.
    clock = {"now": OPEN}
    controller.start_presence(tray_available=False, notifier=_SilentNotifier(),
                              clock=lambda: clock["now"], agent_zone="Europe/Berlin")
    presence = controller.presence
    deadline = time.monotonic() + 20
    while presence.hours is None and time.monotonic() < deadline:
        settle(50)
    yield "launcher", presence.launcher
    clock["now"] = CLOSED
    refreshed: list[object] = []
    presence.refreshed.connect(refreshed.append)
    presence.refresh()
    while not refreshed and time.monotonic() < deadline + 20:
        settle(50)
    yield "launcher-closed", presence.launcher
    presence.show_hours()
    if presence.hours_dialog is not None:
        yield "support-hours", presence.hours_dialog
    presence.stop()
    controller.presence = None


def language_now() -> str:
    from capture_app.core.platform.i18n import current_language

    return current_language()


def _dialogs_of(wizard, controller) -> Iterator[tuple[str, object]]:
    """The dialogs the wizard opens over itself: the system facts and the recorded steps."""
    from capture_app.ui.environment.system_info_view import SystemInfoDialog
    from capture_app.ui.platform.tasks import run_in_background
    from capture_app.ui.steps.step_list import StepListDialog

    facts = SystemInfoDialog(wizard.report, controller.config, run_in_background, wizard)
    facts.show()
    yield "system-info", facts
    facts.close()
    steps = StepListDialog(wizard)
    steps.show()
    yield "step-list", steps
    steps.close()


class _SilentNotifier:
    """Desktop notifications are not part of the look."""

    def send(self, *args, **kwargs):
        return None


def walk(label: str, outdir: Path | None, languages=LANGUAGES, schemes=SCHEMES) -> dict:
    """Every screen in every language and scheme on this process's display: PNGs into
    ``outdir`` (if given) and the findings."""
    from PySide6.QtWidgets import QApplication

    from capture_app.core.platform import i18n
    from capture_app.core.platform.paths import default_paths
    from capture_app.ui.app import Controller

    app = QApplication.instance() or QApplication([sys.argv[0]])
    if outdir is not None:
        outdir.mkdir(parents=True, exist_ok=True)
    findings: list[Finding] = []
    covered = 0
    for language in languages:
        for scheme in schemes:
            use_scheme(scheme == "dark")
            controller = Controller(app, default_paths(), language=language)
            try:
                for name, window in screens(controller):
                    settle()
                    screen = f"{label} {language} {scheme}: {name}"
                    findings += check_window(window, screen)
                    covered += 1
                    if outdir is not None:
                        picture = outdir / f"{label}-{language}-{scheme}-{name}.png"
                        if not window.grab().save(str(picture)):
                            raise RuntimeError(f"{picture} could not be written")
            finally:
                controller._shutting_down = True
                for window in list(controller.wizards.values()):
                    window._discarding = True
                    window.close()
                if controller.main_window is not None:
                    controller.main_window.close()
                controller.store.close()
                i18n.set_language("de")
    return {"screens": covered, "findings": [asdict(f) for f in findings]}


# --- one screen size on its own X server ---------------------------------------------------


def start_xvfb(width: int, height: int) -> tuple[subprocess.Popen, str]:
    binary = shutil.which("Xvfb")
    if binary is None:
        raise SystemExit("Xvfb is missing: `python3 dev.py test` installs it (Debian package xvfb)")
    read, write = os.pipe()
    server = subprocess.Popen([binary, "-displayfd", str(write), "-screen", "0",
                               f"{width}x{height}x24", "-nolisten", "tcp", "-noreset"],
                              pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    number = b""
    with os.fdopen(read, "rb") as pipe:
        while not number.endswith(b"\n"):
            chunk = pipe.read(1)
            if not chunk:
                raise SystemExit("Xvfb exited at start")
            number += chunk
    return server, f":{number.decode().strip()}"


def check_size(width: int, height: int, outdir: Path | None) -> dict:
    """The walk at ``width``×``height`` in a child process on its own Xvfb with a taskbar."""
    server, display = start_xvfb(width, height)
    try:
        env = {k: v for k, v in os.environ.items()
               if k not in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "QT_SCALE_FACTOR",
                            "QT_SCREEN_SCALE_FACTORS", "DBUS_SESSION_BUS_ADDRESS")}
        env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", PYTHONPATH=os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
        subprocess.run(["xprop", "-root", "-format", "_NET_WORKAREA", "32c", "-set", "_NET_WORKAREA",
                        f"0, 0, {width}, {height - TASKBAR}"], env=env, check=True, timeout=20)
        with tempfile.TemporaryDirectory(prefix="look-check-") as home:
            env.update(REPORT_CAPTURE_HOME=home, REPORT_CAPTURE_SYSTEM_CONFIG=str(Path(home) / "system.toml"))
            command = [sys.executable, str(Path(__file__).resolve()), "--walk", f"{width}x{height}"]
            if outdir is not None:
                command.append(str(outdir))
            child = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        if child.returncode != 0:
            raise RuntimeError(f"the walk at {width}x{height} failed:\n{child.stderr[-4000:]}")
        return json.loads(child.stdout.strip().splitlines()[-1])
    finally:
        server.terminate()
        server.wait(10)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--walk"]:
        outdir = Path(argv[2]) if len(argv) > 2 else None
        print(json.dumps(walk(argv[1], outdir)), flush=True)
        return 0
    if len(argv) != 1 or argv[0].startswith("-"):
        print(__doc__)
        return 2
    outdir = Path(argv[0]).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    screens_total, findings = 0, []
    for width, height in SIZES:
        result = check_size(width, height, outdir)
        screens_total += result["screens"]
        findings += [Finding(**f) for f in result["findings"]]
    for finding in findings:
        print(finding)
    print(f"look check: {screens_total} screens ({len(SIZES)} sizes × {len(LANGUAGES)} languages × "
          f"{len(SCHEMES)} schemes), {len(findings)} findings; PNGs in {outdir}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
