"""The tray on a real tray host (Xvfb + trayer), and the launcher when there is no tray.

The real-tray test runs the app's tray in a child process on a fresh X server with the Debian
``trayer`` panel as tray host; an injected clock walks it through a Monday morning. The other
tests run on Qt's offscreen platform, which has no tray: exactly the "GNOME without extension"
case, where the launcher window and desktop notifications (a real private D-Bus) take over.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import shiboken6
from factories import second_level_report
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QLabel, QWidget

from capture_app.core.hours.reminders import state_file
from capture_app.core.platform.autostart import XdgAutostart
from capture_app.core.platform.config import Config
from capture_app.core.platform.paths import AppPaths
from capture_app.core.report.drafts import DraftStore
from capture_app.ui.hours.launcher import DesktopNotifier
from capture_app.ui.hours.tray import (
    BADGE_COLOUR,
    COLOURS,
    ICON_SIZES,
    draw_status_pixmap,
    status_icon,
)
from capture_app.ui.settings_dialog import SettingsDialog

pytestmark = pytest.mark.gui

BERLIN = ZoneInfo("Europe/Berlin")
CHILD = Path(__file__).with_name("tray_host_child.py")
NOTIFICATION_SERVER = Path(__file__).with_name("notification_server.py")
MENU = ["&Problem melden", "&Entwürfe", "P&ostausgang", "Support &anrufen", "Support-&Zeiten …",
        "&Konsolen-Anleitung", "E&instellungen …", "&Beenden"]


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def wait_until(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def seed_reports(paths: AppPaths) -> None:
    """One draft and one queued report, as the outbox would leave it."""
    with DraftStore(paths) as store:
        store.save(second_level_report())
        queued = second_level_report()
        store.save(queued)
    with sqlite3.connect(paths.drafts_db) as db:
        db.execute("UPDATE reports SET state = 'queued' WHERE id = ?", (queued.id,))


# --- A real tray host (the tray_host fixture: tests/ui/conftest.py) ------------------------------


def run_tray(display: str, home: Path, autostart_dir: Path, steps: list[dict]) -> list[dict]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", REPORT_CAPTURE_HOME=str(home),
               REPORT_CAPTURE_SYSTEM_CONFIG=str(home / "system" / "config.toml"))
    result = subprocess.run([sys.executable, str(CHILD), str(autostart_dir), json.dumps(steps)],
                            capture_output=True, text=True, timeout=120, env=env)
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert result.returncode == 0 and len(lines) == len(steps), result.stdout + result.stderr[-3000:]
    return lines


def balloon_text(state: dict) -> str:
    return " ".join(" ".join(b["texts"]) for b in state["balloons"])


def test_tray_icon_menu_and_reminder_at_the_injected_time(tray_host, tmp_path):
    home = tmp_path / "home"
    paths = AppPaths(home / "data", home / "config", home / "system" / "config.toml")
    seed_reports(paths)
    before, opening, clicked, snoozed, later, back, evening = run_tray(
        tray_host, home, tmp_path / "autostart", [
            {"now": "2026-03-30T08:58:00+02:00"},       # Monday after the spring switch
            {"now": "2026-03-30T09:00:20+02:00"},       # support opens
            {"click_balloon": True},
            {"menu": "wiederholen"},                    # "remind me later" (15 minutes)
            {"now": "2026-03-30T09:05:00+02:00"},
            {"now": "2026-03-30T09:16:00+02:00"},
            {"now": "2026-03-30T19:00:00+02:00", "click_icon": True},  # a report after hours
        ])

    # The icon is embedded in the tray host, on screen, and drawn "closed" with a badge.
    assert before["available"] and before["visible"]
    x, y, width, height = before["geometry"]
    assert width > 0 and height > 0 and 0 <= x < 1280 and 0 <= y < 800
    assert before["pixels"]["closed"] > 40 and before["pixels"]["open"] == 0
    assert before["pixels"]["badge"] > 5  # one report in the outbox
    assert "Wieder erreichbar heute, 09:00 Uhr (in 2 Min.)" in before["tooltip"]
    assert "1 Meldung im Postausgang" in before["tooltip"]
    assert before["balloons"] == []
    assert not before["quit_on_last_window_closed"]

    entries = [item for item in before["menu"] if item["key"]]
    assert [e["text"].split(":")[0] for e in entries] == MENU
    call = next(e for e in entries if e["key"] == "call")
    assert call["text"] == "Support &anrufen: +49 30 2206623 33 (Mo–Fr 09:00–18:00 Uhr)"
    assert all(e["enabled"] for e in entries)
    tooltips = {e["key"]: e["tooltip"] for e in entries}
    assert tooltips["outbox"] == "Zeigt Meldungen, die gesendet werden oder Ihre Aufmerksamkeit brauchen."
    assert tooltips["guide"] == "Zeigt, wie man im Browser die Konsole öffnet und ihre Meldungen kopiert."
    status_lines = [item["text"] for item in before["menu"] if not item["key"] and item["visible"]]
    assert status_lines[:2] == ["Wieder erreichbar heute, 09:00 Uhr (in 2 Min.)",
                                "1 Meldung im Postausgang"]

    # At nine the icon turns green and the reminder is shown on screen, once.
    assert opening["pixels"]["open"] > 40 and opening["pixels"]["closed"] == 0
    assert len(opening["balloons"]) == 1
    text = balloon_text(opening)
    assert "Flexperto-Support ist erreichbar" in text
    assert "Support erreichbar bis 18:00 Uhr. Noch nicht gesendet: 1 Entwurf." in text
    assert any("wiederholen" in item["text"] for item in opening["menu"] if item["visible"])
    assert clicked["main_window"]  # a click on the reminder shows the drafts
    assert not any("wiederholen" in item["text"] for item in snoozed["menu"] if item["visible"])
    assert later["balloons"] == []
    assert "Flexperto-Support ist erreichbar" in balloon_text(back)  # after the snooze

    # Clicking the icon after hours starts a report and says when support is back.
    assert evening["wizards"] == ["Problem melden"]
    text = balloon_text(evening)
    assert "Flexperto-Support gerade nicht erreichbar" in text
    assert "Wieder erreichbar morgen, 09:00 Uhr (in 14 Std.)" in text
    assert "+49 30 2206623 33" in text
    assert evening["geometry"] == before["geometry"]  # still in the tray after the screenshot
    assert evening["pixels"]["closed"] > 40

    # What was shown is remembered: a restart at 09:10 does not repeat the opening reminder;
    # the next morning brings a new one.
    shown = json.loads(state_file(paths.data_dir).read_text(encoding="utf-8"))["shown"]
    assert shown["support_opens"] == "2026-03-30T07:00:00+00:00"
    assert shown["outside_hours"] == "2026-03-31T07:00:00+00:00"
    restarted, next_day = run_tray(tray_host, home, tmp_path / "autostart", [
        {"now": "2026-03-30T09:10:00+02:00"},
        {"now": "2026-03-31T09:00:10+02:00"},
    ])
    assert restarted["balloons"] == []
    assert "Flexperto-Support ist erreichbar" in balloon_text(next_day)



def test_the_icon_goes_back_into_the_panel_after_all_windows_were_hidden(tray_host, tmp_path):
    """Hiding the icon's own window takes it out of the tray host; showing it again does not
    dock it again. The app re-creates the icon, so it stays visible in the panel."""
    home = tmp_path / "home"
    seed_reports(AppPaths(home / "data", home / "config", home / "system" / "config.toml"))
    before, opening, after = run_tray(tray_host, home, tmp_path / "autostart", [
        {"now": "2026-03-30T08:58:00+02:00"},
        {"now": "2026-03-30T09:00:20+02:00"},  # support opens: a message bubble at the icon
        {"hide_windows": True},
    ])
    for state in (before, opening, after):
        x, y, width, height = state["geometry"]
        assert width > 0 and height > 0 and 0 <= x < 1280 and 0 <= y < 800, state["geometry"]
        assert state["visible"], state
    assert before["pixels"]["closed"] > 40 and after["pixels"]["open"] > 40, after["pixels"]
    # The bubble that was open when the icon was re-created is shown again.
    assert "erreichbar" in balloon_text(opening)
    assert balloon_text(after) == balloon_text(opening)


# --- No tray: the launcher and desktop notifications ------------------------------------------


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class NotificationLog:
    """What the notification service received, read in a thread so Qt's event loop keeps running."""

    def __init__(self, server: subprocess.Popen) -> None:
        self.received: list[dict] = []
        self.taken = 0
        self._thread = threading.Thread(target=self._read, args=(server.stdout,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            self.received.append(json.loads(line))

    def next(self, qtbot, count: int = 1, seconds: float = 15) -> list[dict]:
        """The next ``count`` notifications; fewer if they do not come within ``seconds``."""
        deadline = time.monotonic() + seconds
        while len(self.received) < self.taken + count and time.monotonic() < deadline:
            qtbot.wait(50)
        taken = self.received[self.taken:self.taken + count]
        self.taken += len(taken)
        return taken


@pytest.fixture
def session_bus(tmp_path):
    """A private D-Bus session with a desktop notification service on it."""
    daemon = shutil.which("dbus-daemon")
    assert daemon, "dbus-daemon is missing (Debian package dbus-daemon)"
    bus = subprocess.Popen([daemon, "--session", "--nofork", "--nopidfile", "--print-address=1"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    address = bus.stdout.readline().strip()
    assert address.startswith("unix:"), address
    server = subprocess.Popen([sys.executable, str(NOTIFICATION_SERVER), address],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == "ready", server.stderr.read()
        yield address, NotificationLog(server)
    finally:
        for process in (server, bus):
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def presence_factory(controller, qtbot, tmp_path):
    made = []

    def make(now: datetime, **options):
        options.setdefault("tray_available", None)  # ask Qt: offscreen has no tray
        options.setdefault("autostart", XdgAutostart(tmp_path / "autostart"))
        controller.start_presence(clock=Clock(now), agent_zone="Europe/Berlin",
                                  interval_ms=3_600_000, **options)
        presence = controller.presence
        made.append(presence)
        qtbot.waitUntil(lambda: presence.hours is not None, timeout=20000)
        refresh_at(qtbot, presence, now)
        return presence

    yield make
    for presence in made:
        presence.stop()
    controller.presence = None
    QApplication.instance().setQuitOnLastWindowClosed(True)


def refresh_at(qtbot, presence, now: datetime) -> None:
    """Let the reminder timer fire at ``now`` and wait until that check is done."""
    presence.clock.now = now
    with qtbot.waitSignal(presence.refreshed, timeout=10000,
                          check_params_cb=lambda evaluated: evaluated == now):
        presence.refresh()


def saved_state(app_paths) -> dict:
    """The reminder state on disk; empty until the first (background) save has happened."""
    try:
        return json.loads(state_file(app_paths.data_dir).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def test_without_a_tray_the_launcher_appears_and_reminders_go_to_the_desktop(
        controller, presence_factory, qtbot, session_bus, app_paths):
    address, notices = session_bus
    seed_reports(app_paths)
    presence = presence_factory(berlin(2026, 11, 23, 8, 50),
                                notifier=DesktopNotifier(bus_address=address))
    launcher = presence.launcher
    assert presence.tray is None and launcher is not None and launcher.isVisible()
    assert not QApplication.instance().quitOnLastWindowClosed()
    assert launcher.status_label.text() == "Wieder erreichbar heute, 09:00 Uhr (in 10 Min.)"
    assert launcher.outbox_label.text() == "1 Meldung im Postausgang"
    buttons = {key: button for key, button in launcher.buttons.items()}
    assert set(buttons) == {"report", "drafts", "outbox", "call", "hours", "guide", "settings", "quit"}
    assert all(button.isEnabled() for button in buttons.values())
    assert buttons["outbox"].toolTip().startswith("Zeigt Meldungen, die gesendet werden")
    qtbot.mouseClick(buttons["outbox"], Qt.LeftButton)  # the launcher's outbox button opens it
    assert controller.outbox_window is not None and controller.outbox_window.isVisible()
    controller.outbox_window.close()
    assert not launcher.banner.isVisible()

    refresh_at(qtbot, presence, berlin(2026, 11, 23, 9, 0, 30))
    [notification] = notices.next(qtbot)
    assert notification["app"] == "Report Capture"
    assert notification["summary"] == "Flexperto-Support ist erreichbar"
    assert notification["body"].startswith("Support erreichbar bis 18:00 Uhr. Noch nicht gesendet: 1 Entwurf.")
    assert launcher.banner.isVisible()
    assert launcher.banner_title.text() == "Flexperto-Support ist erreichbar"
    assert not launcher.banner_note.isVisible()  # delivered: no complaint

    # "Später erinnern": back after the snooze time (15 min), not before.
    qtbot.mouseClick(launcher.banner_snooze, Qt.LeftButton)
    assert not launcher.banner.isVisible()
    qtbot.waitUntil(lambda: "support_opens" in saved_state(app_paths).get("snoozed", {}),
                    timeout=5000)
    refresh_at(qtbot, presence, berlin(2026, 11, 23, 9, 10))
    assert notices.next(qtbot, seconds=1.5) == []
    assert not launcher.banner.isVisible()
    refresh_at(qtbot, presence, berlin(2026, 11, 23, 9, 16))
    [again] = notices.next(qtbot)
    assert again["summary"] == "Flexperto-Support ist erreichbar"
    assert launcher.banner.isVisible()


def test_without_tray_and_without_notification_service_the_launcher_asks_for_attention(
        controller, presence_factory, qtbot, tmp_path, app_paths):
    seed_reports(app_paths)
    nowhere = DesktopNotifier(bus_address=f"unix:path={tmp_path / 'no-bus-here'}")
    presence = presence_factory(berlin(2026, 11, 23, 8, 50), notifier=nowhere)
    launcher = presence.launcher
    with qtbot.waitSignal(presence.notification_failed, timeout=10000):
        refresh_at(qtbot, presence, berlin(2026, 11, 23, 9, 1))
    assert launcher.banner.isVisible()
    assert launcher.banner_title.text() == "Flexperto-Support ist erreichbar"
    assert launcher.banner_note.isVisible()
    assert "Desktop-Benachrichtigung konnte nicht angezeigt werden" in launcher.banner_note.text()


def test_starting_a_report_outside_hours_brings_the_notice(controller, presence_factory, qtbot):
    presence = presence_factory(berlin(2026, 11, 28, 10, 0),
                                notifier=DesktopNotifier(bus_address="unix:path=/nonexistent"))
    with qtbot.waitSignal(presence.reminder_shown, timeout=10000) as shown:
        controller.new_report()
    reminder = shown.args[0]
    assert reminder.kind == "outside_hours"
    assert presence.launcher.banner_title.text() == "Flexperto-Support gerade nicht erreichbar"
    assert "Wieder erreichbar Montag, 09:00 Uhr (in 1 Tag 23 Std.)" in presence.launcher.banner_body.text()
    # A second report the same Saturday: no second notice.
    with qtbot.assertNotEmitted(presence.reminder_shown, wait=800):
        controller.new_report()


def test_the_outside_hours_notice_waits_for_the_wizards_first_frame(controller, presence_factory,
                                                                      qtbot, monkeypatch):
    # The balloon is built on the UI thread (tens of milliseconds): not while the agent waits
    # for the wizard to appear.
    from PySide6.QtCore import QThreadPool

    from capture_app.ui.platform import first_frame

    monkeypatch.setattr(first_frame, "FALLBACK_MS", 600_000)
    presence = presence_factory(berlin(2026, 11, 28, 10, 0),
                                notifier=DesktopNotifier(bus_address="unix:path=/nonexistent"))
    wizard = controller.new_report()
    wizard.setUpdatesEnabled(False)  # shown, but its first frame not painted yet
    assert QThreadPool.globalInstance().waitForDone(10_000)  # the outside-hours check is done
    qtbot.wait(200)  # … and its answer delivered
    assert wizard.isVisible() and presence.last_reminder is None
    with qtbot.waitSignal(presence.reminder_shown, timeout=10_000) as shown:
        wizard.setUpdatesEnabled(True)
        wizard.repaint()  # its first frame
    assert shown.args[0].kind == "outside_hours"


def test_a_report_started_with_capture_app_report_outside_hours_brings_the_notice(
        controller, presence_factory, qtbot):
    # `capture-app report` opens the wizard first; the tray or launcher comes up after it.
    controller.new_report()
    presence = presence_factory(berlin(2026, 11, 28, 10, 0),
                                notifier=DesktopNotifier(bus_address="unix:path=/nonexistent"))
    qtbot.waitUntil(lambda: presence.last_reminder is not None, timeout=10000)
    assert presence.last_reminder.kind == "outside_hours"
    assert presence.launcher.banner.isVisible()
    assert presence.launcher.banner_title.text() == "Flexperto-Support gerade nicht erreichbar"
    assert "Wieder erreichbar Montag, 09:00 Uhr" in presence.launcher.banner_body.text()


def test_a_tray_that_comes_and_goes_switches_with_the_launcher(controller, presence_factory,
                                                               qtbot, monkeypatch):
    # At login the panel may start after the app: it begins with the launcher, then moves over.
    from PySide6.QtWidgets import QSystemTrayIcon

    presence = presence_factory(berlin(2026, 11, 23, 10, 0))
    launcher = presence.launcher
    assert presence.tray is None and launcher.isVisible()
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    refresh_at(qtbot, presence, berlin(2026, 11, 23, 10, 1))
    assert presence.launcher is None
    assert not shiboken6.isValid(launcher) or not launcher.isVisible()  # closed (and deleted)
    assert presence.tray is not None
    assert presence.tray.toolTip().startswith("Report Capture\nSupport erreichbar bis 18:00 Uhr")
    # And back when the panel goes away again: the app never becomes invisible.
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: False))
    refresh_at(qtbot, presence, berlin(2026, 11, 23, 10, 2))
    assert presence.tray is None and presence.launcher.isVisible()


def test_closing_the_main_window_and_the_wizard_keeps_the_app(controller, presence_factory, qtbot):
    presence = presence_factory(berlin(2026, 11, 23, 10, 0))
    controller.show_main_window()
    controller.main_window.close()
    wizard = controller.new_report()
    wizard.wait_for_saves()
    wizard._discarding = True
    wizard.close()
    qtbot.waitUntil(lambda: not controller.wizards, timeout=5000)
    # The launcher stays; no window pops up on its own; the app did not quit.
    assert presence.launcher.isVisible()
    assert controller.main_window is None or not controller.main_window.isVisible()
    assert not QApplication.instance().quitOnLastWindowClosed()


class WindowManagerClose:
    """A close request from the window's title bar (Qt marks those as spontaneous)."""

    def __init__(self) -> None:
        self.accepted = None

    def spontaneous(self) -> bool:
        return True

    def accept(self) -> None:
        self.accepted = True

    def ignore(self) -> None:
        self.accepted = False


def test_launcher_close_button_minimises_and_quit_quits(controller, presence_factory, qtbot,
                                                        monkeypatch):
    presence = presence_factory(berlin(2026, 11, 23, 10, 0))
    launcher = presence.launcher
    request = WindowManagerClose()
    launcher.closeEvent(request)
    assert request.accepted is False and launcher.isVisible()
    launcher.close()  # the app closing its windows (quitting): not refused
    assert not launcher.isVisible()
    launcher.show()
    quits = []
    monkeypatch.setattr(QApplication, "quit", lambda *args: quits.append(True))
    assert launcher.buttons["quit"].accessibleName() == "Beenden"
    launcher.buttons["quit"].click()
    assert quits == [True]


def test_holidays_are_loaded_off_the_ui_thread(controller, presence_factory, monkeypatch):
    # The holiday tables take a noticeable moment to build: the worker that loads the hours
    # builds the one the status line needs, so the UI thread never waits for it.
    import threading

    from capture_app.core.hours import support_hours

    threads = []
    original = support_hours._import_holidays
    monkeypatch.setattr(support_hours, "_import_holidays",
                        lambda: threads.append(threading.current_thread()) or original())
    presence = presence_factory(berlin(2026, 4, 3, 10, 0))
    assert presence.launcher.detail_label.text() == "Heute ist Feiertag: Karfreitag."
    assert threads and threading.main_thread() not in threads


def test_launcher_report_button_starts_a_report(controller, presence_factory, qtbot):
    presence = presence_factory(berlin(2026, 11, 23, 10, 0))
    launcher = presence.launcher
    assert launcher.report_button.isVisible() and launcher.report_button.text() == "&Problem melden"
    qtbot.mouseClick(launcher.report_button, Qt.LeftButton)
    assert [w.windowTitle() for w in controller.wizards.values()] == ["Problem melden"]
    launcher.buttons["drafts"].click()
    assert controller.main_window.isVisible()


def test_the_outbox_and_guide_entries_open_them(controller, presence_factory, monkeypatch):
    opened = []
    for key, method in (("outbox", "show_outbox"), ("guide", "show_console_guide")):
        monkeypatch.setattr(controller, method, lambda key=key: opened.append(key))
    presence = presence_factory(berlin(2026, 11, 23, 10, 0))
    buttons = presence.launcher.buttons
    for key in ("outbox", "guide"):
        assert buttons[key].isEnabled()
        buttons[key].click()
    assert opened == ["outbox", "guide"]


def test_support_hours_window(controller, presence_factory, qtbot):
    presence = presence_factory(berlin(2026, 12, 21, 10, 0))
    presence.launcher.buttons["hours"].click()
    dialog = presence.hours_dialog
    assert dialog.isVisible() and dialog.windowTitle() == "Support-Zeiten"
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    assert "Support erreichbar bis 18:00 Uhr" in texts
    assert "Erreichbar Mo–Fr 09:00–18:00 Uhr (Zeitzone Europe/Berlin), per Telefon und E-Mail." in texts
    items = [dialog.exceptions.item(i).text() for i in range(dialog.exceptions.count())]
    assert items == ["Freitag, 25. Dezember 2026: geschlossen (Erster Weihnachtstag)",
                     "Freitag, 1. Januar 2027: geschlossen (Neujahr)"]
    unnamed = [type(w).__name__ for w in dialog.findChildren(QAbstractButton)
               if not w.accessibleName()]
    assert unnamed == []


def test_settings_switch_start_at_login_and_reminders(controller, qtbot, tmp_path, no_dialogs):
    folder = tmp_path / "autostart"
    dialog = SettingsDialog(controller.config)
    qtbot.addWidget(dialog)
    box = dialog.startup_box
    box.autostart = XdgAutostart(folder)
    assert not box.editors["startup.at_login"].isChecked()  # off by default
    box.editors["startup.at_login"].setChecked(True)
    box.editors["reminders.before_closing"].setChecked(False)
    assert not box.editors["reminders.before_closing_minutes"].isEnabled()
    box.editors["reminders.snooze_minutes"].setValue(30)
    dialog._save()
    assert dialog.result() == QDialog.Accepted and no_dialogs == []
    entry = folder / "report-capture.desktop"
    assert entry.exists() and "--background" in entry.read_text(encoding="utf-8")
    fresh = Config.load(controller.paths)
    assert fresh.get("startup.at_login") is True
    assert fresh.get("reminders.before_closing") is False
    assert fresh.get("reminders.snooze_minutes") == 30

    dialog = SettingsDialog(controller.config)
    qtbot.addWidget(dialog)
    dialog.startup_box.autostart = XdgAutostart(folder)
    assert dialog.startup_box.editors["startup.at_login"].isChecked()
    dialog.startup_box.editors["startup.at_login"].setChecked(False)
    dialog._save()
    assert not entry.exists()


def test_start_at_login_that_cannot_be_written_is_reported(controller, qtbot, tmp_path, no_dialogs):
    blocker = tmp_path / "autostart"
    blocker.write_text("not a folder", encoding="utf-8")
    dialog = SettingsDialog(controller.config)
    qtbot.addWidget(dialog)
    dialog.startup_box.autostart = XdgAutostart(blocker)
    dialog.startup_box.editors["startup.at_login"].setChecked(True)
    dialog._save()
    assert dialog.result() != QDialog.Accepted
    [(kind, text)] = no_dialogs
    assert kind == "warning" and "Start bei der Anmeldung" in text and str(blocker) in text


def test_locked_reminder_settings_cannot_be_changed(app_paths, qapp, qtbot):
    app_paths.system_config_file.parent.mkdir(parents=True, exist_ok=True)
    app_paths.system_config_file.write_text(
        'locked = ["reminders"]\n\n[reminders]\noutside_hours = false\n', encoding="utf-8")
    dialog = SettingsDialog(Config.load(app_paths))
    qtbot.addWidget(dialog)
    editor = dialog.startup_box.editors["reminders.outside_hours"]
    assert not editor.isEnabled() and not editor.isChecked()
    assert "Organisation" in editor.toolTip()


def test_support_hours_problems_reach_the_main_window(controller, presence_factory, qtbot,
                                                      app_paths):
    app_paths.system_config_file.parent.mkdir(parents=True, exist_ok=True)
    app_paths.system_config_file.write_text('[support]\nholiday_region = "DE-XY"\n', encoding="utf-8")
    controller.config = Config.load(app_paths)  # as if the app started with this file
    controller.show_main_window()
    presence_factory(berlin(2026, 11, 23, 10, 0))
    assert '"DE-XY"' in controller.main_window.notices.text()


def test_launcher_controls_have_accessible_names(controller, presence_factory):
    presence = presence_factory(berlin(2026, 11, 23, 10, 0))
    presence.show_reminder(_sample_reminder())
    unnamed = [type(w).__name__ for w in presence.launcher.findChildren(QWidget)
               if isinstance(w, QAbstractButton) and not w.accessibleName()]
    assert unnamed == []


def _sample_reminder():
    from capture_app.core.hours.reminders import Reminder

    return Reminder("support_opens", "2026-11-23T08:00:00+00:00", "Titel", "Text")


# --- The drawn icon ---------------------------------------------------------------------------


@pytest.mark.parametrize("state, colour", [("open", COLOURS["open"]), ("closed", COLOURS["closed"])])
def test_icon_colour_says_open_or_closed_and_badge_counts(qapp, state, colour):
    image = draw_status_pixmap(state, 0, 64).toImage()
    assert image.pixelColor(32, 58).name() == colour  # the disc below the bubble
    assert image.pixelColor(20, 30).name() == "#ffffff"  # the bubble
    assert image.pixelColor(32, 25).name() == colour  # its exclamation mark
    assert image.pixelColor(56, 8).alpha() == 0  # no badge
    assert image.pixelColor(32, 36).name() == colour  # and its dot
    badged = draw_status_pixmap(state, 3, 64).toImage()
    assert badged.pixelColor(52, 5).name() == BADGE_COLOUR
    # The count is written in white in the badge.
    badge = [badged.pixelColor(x, y).name() for x in range(35, 64) for y in range(0, 29)]
    assert badge.count("#ffffff") > 10


@pytest.mark.parametrize("state", ["open", "closed", "unknown"])
def test_the_icon_without_reports_waiting_is_the_drawn_one(qapp, state):
    """Without a badge the icon comes from PNGs drawn in advance (packaging/icons/
    render_pngs.py); they must be what the app would draw."""
    icon = status_icon(state, 0)
    for size in ICON_SIZES:
        shown = icon.pixmap(size, size).toImage().convertToFormat(QImage.Format.Format_ARGB32)
        drawn = draw_status_pixmap(state, 0, size).toImage().convertToFormat(QImage.Format.Format_ARGB32)
        assert shown.size() == drawn.size() == QSize(size, size)
        worst = max(abs(a - b) for y in range(size) for x in range(size)
                    for a, b in zip(QColor(shown.pixel(x, y)).getRgb(), QColor(drawn.pixel(x, y)).getRgb(),
                                    strict=True))
        assert worst <= 2, (state, size)
    # With reports waiting, the badge and its number are drawn on it.
    badged = status_icon(state, 2).pixmap(64, 64).toImage()
    assert badged.pixelColor(52, 5).name() == BADGE_COLOUR


TRAY_START_UNTIL_DOCKED = r"""
import sys
import PySide6.QtCore
from capture_app.ui.hours import tray

shown = tray.TrayIcon.show

def show(self):
    shown(self)
    # What the way to the docked icon built: Qt's namespace costs ~20 ms the first time.
    print("Qt namespace built:", "Qt" in PySide6.QtCore.__dict__, flush=True)
    PySide6.QtCore.QTimer.singleShot(200, styled)

def styled():
    # Right after the icon, before any window can open: the app's style and palette.
    from PySide6.QtWidgets import QApplication
    from capture_app.ui.platform.theme import LIGHT
    app = QApplication.instance()
    print("style:", app.style().name(), "window colour:", app.palette().window().color().name(),
          "ours:", LIGHT.window, flush=True)
    PySide6.QtCore.QTimer.singleShot(3000, idle)

def idle():
    # The start-up work (capture warm-up after 1 s, the sender after 1.5 s) is over: the app
    # idles all day, and Qt's namespace (~1.5 MB) is still not needed.
    print("Qt namespace built at idle:", "Qt" in PySide6.QtCore.__dict__, flush=True)
    PySide6.QtCore.QCoreApplication.quit()

tray.TrayIcon.show = show
from capture_app.__main__ import main
sys.exit(main(["--background"]))
"""


def test_the_way_to_the_tray_icon_and_the_idle_app_do_not_build_qts_namespace(tray_host, tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
    env.update(DISPLAY=tray_host, QT_QPA_PLATFORM="xcb", REPORT_CAPTURE_HOME=str(tmp_path / "home"))
    result = subprocess.run([sys.executable, "-c", TRAY_START_UNTIL_DOCKED], capture_output=True,
                            text=True, timeout=60, env=env)
    assert "Qt namespace built: False" in result.stdout, result.stdout + result.stderr[-2000:]
    style = result.stdout.split("style: ", 1)[1].split()
    assert style[0].lower() == "fusion" and style[3] == style[5], result.stdout
    assert "Qt namespace built at idle: False" in result.stdout, result.stdout


TRAY_THEN_GRAB = r"""
import sys, time
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
app = QApplication(sys.argv[:1])
pixmap = QPixmap(22, 22)
pixmap.fill()
icon = QSystemTrayIcon(QIcon(pixmap))
icon.show()
deadline = time.monotonic() + 20
while time.monotonic() < deadline and not QApplication.topLevelWidgets():
    app.processEvents()
    time.sleep(0.05)
from capture_app.ui.capture.grabber import visible_windows
print(len(QApplication.topLevelWidgets()), len(visible_windows()), flush=True)
"""


def test_problem_melden_from_the_tray_leaves_the_tray_icon_in_the_panel(tray_host):
    """Our windows are hidden for the grab, the tray icon is not: taking it out of the panel
    made every report from the tray wait for windows to vanish that nobody sees as ours."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
    env.update(DISPLAY=tray_host, QT_QPA_PLATFORM="xcb")
    result = subprocess.run([sys.executable, "-c", TRAY_THEN_GRAB], capture_output=True,
                            text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    top_level, to_hide = map(int, result.stdout.split())
    assert top_level >= 1  # the tray icon's own window exists (an XEmbed icon in trayer)
    assert to_hide == 0

