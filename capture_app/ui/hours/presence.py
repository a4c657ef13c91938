"""The app's standing presence: the tray icon (or, without a tray, the launcher window), the
support status it shows, and the reminders about support hours.

The controller creates one ``Presence`` after the first window is up. Every minute it
counts the waiting reports in a worker thread, asks core which reminders are due, and shows
them — as a tray balloon, or as a desktop notification plus a banner in the launcher. The
clock is injectable (``clock``) so that a test can say what time it is.

"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from capture_app import APP_NAME
from capture_app.core.platform.i18n import tr
from capture_app.ui.hours.tray import CLOSED, OPEN, UNKNOWN, Entry, TrayIcon
from capture_app.ui.platform.first_frame import after_first_frame
from capture_app.ui.platform.tasks import run_in_background

# The hours, the reminders and the desktop notifier load once the tray icon is up: the icon
# shows "loading" until the hours arrive from a worker anyway (~15 ms off the start at login).
if TYPE_CHECKING:
    from capture_app.core.hours.reminders import (
        Reminder,
        ReminderBook,
        ReminderSettings,
        Waiting,
    )
    from capture_app.core.hours.support_hours import SupportHours
    from capture_app.ui.hours.launcher import LauncherWindow
    from capture_app.ui.hours.support_hours_dialog import SupportHoursDialog

log = logging.getLogger(__name__)

INTERVAL_MS = 60_000
BALLOON_MS = 30_000
WIZARD_WAIT_MS = 200
WIZARD_WAIT_TRIES = 100  # 20 seconds: a capture with a delay or a slow screen


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Presence(QObject):
    refreshed = Signal(object)  # the clock's time of a finished check (state, counts, reminders)
    reminder_shown = Signal(object)  # the Reminder, once it is on screen
    notification_failed = Signal(str)

    def __init__(self, controller, *, clock: Callable[[], datetime] | None = None,
                 tray_available: bool | None = None, notifier=None, autostart=None,
                 agent_zone: str | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__()
        self.controller = controller
        self.clock = clock or utc_now
        self._tray_available = tray_available
        self._notifier = notifier
        self.autostart = autostart
        self.agent_zone = agent_zone
        self.hours: SupportHours | None = None
        self.problems: list = []
        self.book: ReminderBook | None = None
        self.waiting: Waiting | None = None  # not counted yet
        self._settings: ReminderSettings | None = None
        self.tray: TrayIcon | None = None
        self.launcher: LauncherWindow | None = None
        self.hours_dialog: SupportHoursDialog | None = None
        self.call_box = None  # the number to dial by hand, when no program dials tel: links
        self.last_reminder: Reminder | None = None
        self._busy = False
        self._again = False
        self._report_check_pending = False
        self._stopped = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.refresh)
        self._transition_timer = QTimer(self)
        self._transition_timer.setSingleShot(True)
        self._transition_timer.timeout.connect(self.refresh)

    @property
    def notifier(self):
        if self._notifier is None:
            from capture_app.ui.hours.launcher import DesktopNotifier

            self._notifier = DesktopNotifier()
        return self._notifier

    @property
    def settings(self) -> ReminderSettings:
        if self._settings is None:
            from capture_app.core.hours.reminders import ReminderSettings

            self._settings = ReminderSettings.from_config(self.controller.config)
        return self._settings

    # -- life cycle

    def start(self) -> None:
        if self.agent_zone is None:
            from capture_app.ui.platform.time_zone import local_timezone_name

            self.agent_zone = local_timezone_name()
        if self.tray_available():
            self._show_tray()
        else:
            self._show_launcher()
        # The tray or the launcher keeps the app alive when the main window is closed.
        cast("QApplication", QApplication.instance()).setQuitOnLastWindowClosed(False)
        self._load()
        self.timer.start()

    def stop(self) -> None:
        self._stopped = True
        self.timer.stop()
        self._transition_timer.stop()
        if self.tray is not None:
            self.tray.hide()
        if self.launcher is not None:
            self.launcher.quit()
        if self.hours_dialog is not None:
            self.hours_dialog.close()

    def tray_available(self) -> bool:
        if self._tray_available is not None:
            return self._tray_available
        return QSystemTrayIcon.isSystemTrayAvailable()

    def _show_tray(self) -> None:
        self.tray = TrayIcon(self)
        self.tray.report_requested.connect(self.controller.new_report)
        self.tray.messageClicked.connect(self.open_reminder)
        self.tray.set_entries(self.entries())
        self.tray.show_snooze(None, None)
        self._show_status(self.clock())
        self.tray.show()

    def _show_launcher(self) -> None:
        from capture_app.ui.hours.launcher import LauncherWindow

        self.launcher = LauncherWindow()
        self.launcher.set_entries(self.entries())
        self.launcher.open_reminder.connect(self.open_reminder)
        self.launcher.snooze_reminder.connect(self.snooze_last)
        self._show_status(self.clock())
        self.windows_changed()  # on screen, or in the taskbar while the agent works elsewhere

    def _agent_at_work(self) -> bool:
        """Whether the main window or a report's wizard is open."""
        main_window = self.controller.main_window
        return bool(self.controller.wizards) or (main_window is not None and main_window.isVisible())

    def windows_changed(self) -> None:
        """The main window or a wizard was opened or closed.

        Without a tray the launcher stands in for its icon: in the taskbar while the agent works
        in the main window or a wizard (which offer what it does), so it never lies over them or
        takes the keyboard from them, and back on screen once they are all closed, so the app
        stays in reach."""
        if self.launcher is None or self._stopped:
            return
        if self._agent_at_work():
            self.launcher.showMinimized()
        elif self.launcher.isMinimized() or not self.launcher.isVisible():
            self.launcher.showNormal()
            self.launcher.raise_()

    def _switch_to_tray(self) -> None:
        """The panel came up after the app (a login race): move from the launcher to the tray."""
        launcher, self.launcher = self.launcher, None
        self._show_tray()
        if launcher is not None:
            launcher.quit()
            launcher.deleteLater()

    def _switch_to_launcher(self) -> None:
        """The tray host went away (the panel crashed or was removed): never be invisible."""
        tray, self.tray = self.tray, None
        if tray is not None:
            tray.hide()
            tray.deleteLater()
        self._show_launcher()

    def settings_changed(self) -> None:
        """Settings were saved: hours, reminder switches or the language may have changed."""
        self._settings = None  # read again from the changed settings
        self._rebuild_entries()
        self._load()

    # -- the commands

    def entries(self) -> list[Entry]:
        controller = self.controller
        config = controller.config
        phone = config.get("support.phone")
        summary = self.hours.weekly_summary() if self.hours is not None else ""
        steps = [Entry("steps", tr("tray.menu_steps"), controller.record_steps,
                       tr("tray.menu_steps_hint"))] if controller.can_record_steps() else []
        hotkey = getattr(controller, "hotkey", None)
        return [
            Entry("report", tr("tray.menu_report"), controller.new_report,
                  tr("tray.menu_report_hint"), shortcut=hotkey.shown() if hotkey is not None else ""),
            *steps,
            Entry("drafts", tr("tray.menu_drafts"), controller.show_main_window,
                  tr("tray.menu_drafts_hint")),
            Entry("outbox", tr("tray.menu_outbox"), controller.show_outbox,
                  tr("tray.menu_outbox_hint")),
            Entry("call", tr("tray.menu_call_hours", phone=phone, hours=summary) if summary
                  else tr("tray.menu_call", phone=phone), self.call_support,
                  tr("tray.menu_call_hint", phone=phone)),
            Entry("hours", tr("tray.menu_hours"), self.show_hours, tr("tray.menu_hours_hint")),
            Entry("guide", tr("tray.menu_guide"), controller.show_console_guide,
                  tr("tray.menu_guide_hint")),
            Entry("settings", tr("tray.menu_settings"), controller.open_settings,
                  tr("tray.menu_settings_hint")),
            Entry("quit", tr("tray.menu_quit"), self.quit, tr("tray.menu_quit_hint")),
        ]

    def menu_changed(self) -> None:
        """A report was opened or closed: *Schritte aufzeichnen* comes or goes."""
        self._rebuild_entries()

    def _rebuild_entries(self) -> None:
        if self.tray is not None:
            self.tray.set_entries(self.entries())
            self._update_snooze_entry()
        if self.launcher is not None:
            self.launcher.set_entries(self.entries())

    def call_support(self) -> None:
        """Dial where a program handles tel: links; otherwise show the number to copy."""
        from capture_app.ui.platform.desktop_links import call_or_show_number

        phone = self.controller.config.get("support.phone")
        hours = self.hours.weekly_summary() if self.hours is not None else ""
        call_or_show_number(phone, hours, lambda box: setattr(self, "call_box", box))

    def show_hours(self) -> None:
        if self.hours is None:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.information(None, APP_NAME, tr("tray.hours_loading"))
            return
        from capture_app.ui.hours.support_hours_dialog import SupportHoursDialog
        from capture_app.ui.platform.time_zone import local_timezone_name

        if self.hours_dialog is not None:
            self.hours_dialog.close()
            self.hours_dialog.deleteLater()
        zone = self.agent_zone or local_timezone_name()
        self.hours_dialog = SupportHoursDialog(self.hours, self.clock(), zone,
                                               self.controller.config.get("support.phone"),
                                               self.call_support)
        self.hours_dialog.show()
        self.hours_dialog.raise_()
        self.hours_dialog.activateWindow()

    def quit(self) -> None:
        self.controller.quit()

    # -- loading the hours and the reminder record (file and holiday look-ups: off the UI thread)

    def _load(self) -> None:
        config = self.controller.config
        paths = self.controller.paths
        autostart = self.autostart
        now = self.clock()

        def load():
            from capture_app.core.hours.reminders import ReminderBook, state_file
            from capture_app.core.hours.support_hours import load_support_hours

            hours, problems = load_support_hours(config)
            book = ReminderBook(state_file(paths.data_dir), paths.quarantine_dir)
            # Loads the holiday calendar (of the current language) here, not on the UI thread.
            hours.holidays.name(now.date())
            autostart_problem = _sync_autostart(config, autostart)
            return hours, problems, book, autostart_problem

        run_in_background(load, on_success=self._loaded, on_error=self._load_failed)

    def _loaded(self, result) -> None:
        if self._stopped:
            return
        self.hours, problems, self.book, autostart_problem = result
        fresh = [p for p in problems if p not in self.problems]
        self.problems = problems
        messages = [problem.message() for problem in fresh]
        if autostart_problem:
            messages.append(autostart_problem)
        window = self.controller.main_window
        if window is not None:
            window.set_support_hours(self.hours, self.agent_zone)
        if messages and window is not None:
            window.show_notices(messages)
        self._rebuild_entries()
        self.refresh()
        if self._report_check_pending:
            self._report_check_pending = False
            self.report_started()

    def _load_failed(self, exc: BaseException) -> None:
        log.error("support hours could not be loaded: %s", type(exc).__name__)
        self._show_status(self.clock())

    def notices(self) -> list[str]:
        """Problems found in the support-hours settings, for the main window's notice area."""
        return [problem.message() for problem in self.problems]

    # -- status and reminders

    def _open_drafts(self) -> list[str]:
        return [getattr(getattr(window, "report", None), "summary", "") or ""
                for window in self.controller.wizards.values()]

    def refresh(self) -> None:
        """Count the waiting reports, update icon and texts, show the reminders now due."""
        if self._stopped:
            return
        if self._tray_available is None:
            available = self.tray_available()
            if self.launcher is not None and available:
                self._switch_to_tray()
            elif self.tray is not None and not available:
                self._switch_to_launcher()
        if self._busy:
            self._again = True
            return
        self._busy = True
        now = self.clock()
        store = self.controller.store
        hours, book, settings = self.hours, self.book, self.settings
        open_drafts = self._open_drafts()
        zone = self.agent_zone
        phone = self.controller.config.get("support.phone")

        def evaluate() -> tuple[Waiting, list[Reminder]]:
            from capture_app.core.hours.reminders import Situation, due_reminders

            waiting = count_waiting(store)
            due: list[Reminder] = []
            if hours is not None and book is not None:
                situation = Situation(hours, waiting, open_drafts, zone, phone)
                due = due_reminders(now, situation, settings, book)
            return waiting, due

        run_in_background(evaluate, on_success=lambda result: self._refreshed(now, *result),
                          on_error=self._refresh_failed)

    def _refreshed(self, now: datetime, waiting: Waiting, due: list[Reminder]) -> None:
        self._busy = False
        if self._stopped:
            return
        self.waiting = waiting
        self._show_status(now)
        self._schedule_transition(now)
        for reminder in due:
            self.show_reminder(reminder)
        self.refreshed.emit(now)
        if self._again:
            self._again = False
            self.refresh()

    def _schedule_transition(self, now: datetime) -> None:
        """Check again right when support opens or closes, so the icon changes on the minute."""
        if self.hours is None:
            return
        upcoming = [moment for moment in (self.hours.next_opening(now), self.hours.next_closing(now))
                    if moment is not None and moment > now]
        if not upcoming:
            return
        delay_ms = int((min(upcoming) - now).total_seconds() * 1000) + 1000
        if delay_ms < self.timer.interval():
            self._transition_timer.start(delay_ms)

    def _refresh_failed(self, exc: BaseException) -> None:
        self._busy = False
        log.error("reminder check failed: %s", type(exc).__name__)
        if not self._stopped:
            now = self.clock()
            self._show_status(now)
            self.refreshed.emit(now)

    def _show_status(self, now: datetime) -> None:
        if self.hours is None:
            state, status, detail = UNKNOWN, tr("tray.hours_loading"), ""
        else:
            state = OPEN if self.hours.is_open(now) else CLOSED
            status = self.hours.sentence(now, self.agent_zone)
            detail = self.hours.closed_reason(now)
        waiting = self.waiting
        queued = waiting.queued if waiting is not None else 0
        outbox_line = tr("tray.outbox_queued_one") if queued == 1 else (
            tr("tray.outbox_queued_many", n=queued) if queued else "")
        if waiting is not None and waiting.needs_attention:
            attention = tr("tray.attention", n=waiting.needs_attention)
            outbox_line = f"{outbox_line} {attention}".strip()
        for view in (self.tray, self.launcher):
            if view is not None:
                view.show_status(state, queued, status, outbox_line, detail)
        window = self.controller.main_window
        if window is not None and hasattr(window, "support"):
            window.support.update_status()

    def report_started(self) -> None:
        """Hook for the controller: a new report was opened (the outside-hours notice)."""
        if self._stopped:
            return
        if self.hours is None or self.book is None:
            self._report_check_pending = True
            return
        now = self.clock()
        store, hours, book, settings = self.controller.store, self.hours, self.book, self.settings
        open_drafts, zone = self._open_drafts(), self.agent_zone
        phone = self.controller.config.get("support.phone")

        def check():
            from capture_app.core.hours.reminders import Situation, report_started_reminder

            waiting = count_waiting(store)
            return report_started_reminder(now, Situation(hours, waiting, open_drafts, zone, phone),
                                           settings, book)

        run_in_background(check, on_success=self._report_checked,
                          on_error=lambda exc: log.error("outside-hours check failed: %s",
                                                         type(exc).__name__))

    def _report_checked(self, reminder: Reminder | None, attempt: int = 0) -> None:
        if self._stopped:
            return
        shown = [window for window in self.controller.wizards.values() if window.isVisible()]
        if reminder is not None and attempt < WIZARD_WAIT_TRIES and not shown:
            # The screen is being captured (our windows are hidden for it): the notice comes
            # with the wizard, and stays out of the screenshot.
            QTimer.singleShot(WIZARD_WAIT_MS, lambda: self._report_checked(reminder, attempt + 1))
            return
        if shown:
            # Right after the wizard: the balloon and the icon's new state (tens of milliseconds
            # on this thread) would hold up its first frame.
            after_first_frame(shown[-1], lambda: self._report_checked_shown(reminder))
        else:
            self._report_checked_shown(reminder)

    def _report_checked_shown(self, reminder: Reminder | None) -> None:
        if self._stopped:
            return
        if reminder is not None:
            self.show_reminder(reminder)
        self.refresh()  # the new draft counts, and the icon is up to date at once

    def show_reminder(self, reminder: Reminder) -> None:
        self.last_reminder = reminder
        if self.tray is not None and QSystemTrayIcon.supportsMessages():
            self.tray.showMessage(reminder.title, reminder.body, QSystemTrayIcon.MessageIcon.Information,
                                  BALLOON_MS)
        else:
            self._notify_desktop(reminder)
        if self.launcher is not None:
            self.launcher.show_reminder(reminder.title, reminder.body)
        book = self.book
        if book is not None:
            book.mark_shown(reminder, save=False)  # in memory now, in order; the file later
            run_in_background(book.save,
                              on_error=lambda exc: log.warning("reminder not recorded: %s",
                                                               type(exc).__name__))
        self._update_snooze_entry()
        self.reminder_shown.emit(reminder)

    def _notify_desktop(self, reminder: Reminder) -> None:
        notifier = self.notifier

        def failed(exc: BaseException) -> None:
            reason = str(exc) or type(exc).__name__
            log.warning("desktop notification failed: %s", reason)
            self.notification_failed.emit(reason)
            if self.launcher is not None:
                self.launcher.notification_failed(reason)
            else:
                # Neither balloon nor notification: a window, rather than nothing at all.
                from PySide6.QtCore import Qt
                from PySide6.QtWidgets import QMessageBox

                box = QMessageBox(QMessageBox.Icon.Information, reminder.title, reminder.body)
                box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
                box.show()
                self._fallback_box = box

        run_in_background(lambda: notifier.send(reminder.title, reminder.body), on_error=failed)

    def _update_snooze_entry(self) -> None:
        if self.tray is None:
            return
        if self.last_reminder is None:
            self.tray.show_snooze(None, None)
            return
        self.tray.show_snooze(tr("tray.snooze", title=self.last_reminder.title,
                                 minutes=self.settings.snooze_minutes), self.snooze_last)

    def snooze_last(self) -> None:
        """"Später erinnern": the last reminder comes back after the snooze time, if it still applies."""
        reminder, book = self.last_reminder, self.book
        if reminder is None or book is None:
            return
        now, minutes = self.clock(), self.settings.snooze_minutes
        book.snooze(reminder, now, minutes, save=False)
        run_in_background(book.save,
                          on_error=lambda exc: log.warning("snooze not recorded: %s",
                                                           type(exc).__name__))
        self.last_reminder = None
        self._update_snooze_entry()
        if self.launcher is not None:
            self.launcher.hide_reminder()

    def open_reminder(self) -> None:
        """A click on the reminder: show what it is about."""
        from capture_app.core.hours.reminders import OPEN_OUTBOX, OPEN_WIZARD

        reminder = self.last_reminder
        controller = self.controller
        target = reminder.opens if reminder is not None else None
        if target == OPEN_WIZARD and controller.wizards:
            window = next(iter(controller.wizards.values()))
            window.showNormal()
            window.raise_()
            window.activateWindow()
            return
        if target == OPEN_OUTBOX:
            controller.show_outbox()
            return
        controller.show_main_window()


def count_waiting(store) -> Waiting:
    """Drafts, reports needing attention, and queued reports (runs in a worker thread)."""
    from capture_app.core.hours.reminders import Waiting

    drafts = len(store.list_drafts(("draft",)))
    attention = len(store.list_drafts(("needs_attention",)))
    queued = len(store.list_drafts(("queued", "sending")))
    return Waiting(drafts=drafts, needs_attention=attention, queued=queued)


def _sync_autostart(config, autostart) -> str | None:
    """Start at login wanted (e.g. set by the organisation) but missing or outdated: write it.

    Switching it off happens in the settings dialog, where the agent asks for it.
    """
    from capture_app.core.platform import autostart as autostart_module

    if not config.get("startup.at_login"):
        return None
    target = autostart or autostart_module.for_this_system()
    try:
        autostart_module.apply(target, True, autostart_module.launch_command())
    except autostart_module.AutostartError as exc:
        return exc.message()
    return None

