"""Start-up: configuration, language, draft store, and the windows that use them."""
from __future__ import annotations

import functools
import logging
import sys
import time
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from capture_app import APP_NAME, __version__
from capture_app.core.platform import i18n, timing
from capture_app.core.platform.paths import AppPaths, default_paths
from capture_app.ui.platform.memory import return_freed_memory
from capture_app.ui.platform.qt_language import use_qt_texts
from capture_app.ui.platform.time_zone import local_timezone_name

if TYPE_CHECKING:
    from capture_app.ui.hours.presence import Presence
    from capture_app.ui.identity_dialog import IdentityDialog
    from capture_app.ui.main_window import MainWindow
    from capture_app.ui.platform.global_hotkey import GlobalHotkey
    from capture_app.ui.sending.outbox_window import OutboxWindow
    from capture_app.ui.sending.sender import SendingService
    from capture_app.ui.wizard.window import WizardWindow

log = logging.getLogger("capture_app")
# Work the first window does not need waits this long, so it does not hold up the first frame.
AFTER_FIRST_FRAME_MS = 250
START_UP_OVER_MS = 10_000  # presence, capture warm-up, background sender, clean-up: all started
# The last report closed (and no main window), or the outbox changed with nothing open: what the
# report (its screenshots and pages) or the upload (its bundle) freed goes back to the system
# this much later (the window deleted, its last save and stored files done by then).
MEMORY_BACK_MS = 5_000
_START = time.perf_counter()


def setup_logging(paths: AppPaths) -> None:
    from capture_app.core.platform.log_file import RotatingLog

    handler: logging.Handler
    try:
        paths.log_dir.mkdir(parents=True, exist_ok=True)
        handler = RotatingLog(paths.log_dir / "report-capture.log", max_bytes=1_000_000, backups=3)
    except OSError:
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


class LazyDraftStore:
    """The draft store, opened on first use: the wizard appears without waiting for SQLite, and
    the first autosave (in a worker thread) opens it."""

    def __init__(self, paths: AppPaths) -> None:
        import threading

        self._paths = paths
        self._store = None
        self._lock = threading.Lock()
        self._told: set[str] = set()  # why it could not be opened, as already shown

    def open(self):
        with self._lock:
            if self._store is None:
                from capture_app.core.report.drafts import DraftStore

                self._store = DraftStore(self._paths)
            return self._store

    def __getattr__(self, name: str):
        return getattr(self.open(), name)

    # The main window lists drafts and shows notices; with a database that cannot be opened it
    # opens all the same, empty, with the reason as its notice (each later call tries again).

    def list_drafts(self, *args, **kwargs):
        from capture_app.core.report.drafts import DraftStoreUnavailableError

        try:
            store = self.open()
        except DraftStoreUnavailableError as exc:
            self._unavailable = exc
            return []
        return store.list_drafts(*args, **kwargs)

    def take_notices(self, *args, **kwargs):
        from capture_app.core.report.drafts import DraftStoreUnavailableError

        try:
            store = self.open()
        except DraftStoreUnavailableError as exc:
            unavailable, self._unavailable = getattr(self, "_unavailable", None), None
            if unavailable is None or args or kwargs or exc.message() in self._told:
                return []
            self._told.add(exc.message())  # once, not again with every refresh
            return [exc]
        return store.take_notices(*args, **kwargs)

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()


class Controller:
    """Owns the main window and the wizards; everything the windows do goes through here."""

    def __init__(self, app: QApplication, paths: AppPaths, *, language: str | None = None) -> None:
        from capture_app.core.platform import tomlcache
        from capture_app.core.platform.config import Config
        from capture_app.ui.platform import accessibility, gc_guard

        gc_guard.install()  # Qt objects must never be freed by a collection in a worker thread
        accessibility.install()  # screen readers hear dropdowns by their label
        tomlcache.set_cache_dir(paths.cache_dir)
        self.app = app
        self.paths = paths
        self.config = Config.load(paths)
        i18n.set_language(language or self.config.get("ui.language"))
        use_qt_texts(i18n.current_language(), app)
        self.store = LazyDraftStore(paths)
        self._shutting_down = False
        self._quitting = False  # between "Beenden" and the app's end (see quit)
        self.wizards: dict[str, WizardWindow] = {}  # the open ones
        self._prepared: dict[str, WizardWindow] = {}  # built, not yet shown (see open_wizard)
        self.main_window: MainWindow | None = None
        # tray icon or launcher window, reminders (ui/hours/presence.py)
        self.presence: Presence | None = None
        self._report_before_presence = False
        self.sending: SendingService | None = None  # created on first use
        self.outbox_window: OutboxWindow | None = None
        # "Meldende Person", asked once at the first start
        self.identity_dialog: IdentityDialog | None = None
        # The system-wide "Problem melden" key combination (setting hotkey.report)
        self.hotkey: GlobalHotkey | None = None
        self.hotkey_problem: str | None = None
        self._hotkey_setting = ""
        # Freed memory back to the system once the agent is done (see _windows_changed)
        self._memory_back = QTimer()
        self._memory_back.setSingleShot(True)
        self._memory_back.timeout.connect(self._return_memory)

    def startup_notices(self) -> list[str]:
        notices = [problem.message() for problem in self.config.problems]
        notices += self._triage_catalogue().messages()
        if self.presence is not None:
            notices += self.presence.notices()
        if self.hotkey_problem:
            notices.append(self.hotkey_problem)
        return notices

    def start_hotkey(self) -> None:
        """Register the "Problem melden" key combination; one that cannot be registered is
        explained in the main window, and everything else works on."""
        from capture_app.ui.platform.global_hotkey import GlobalHotkey

        if self.hotkey is None:
            self.hotkey = GlobalHotkey()
            self.hotkey.pressed.connect(self._hotkey_pressed)
        self._hotkey_setting = self.config.get("hotkey.report") or ""
        problem = self.hotkey.register(self._hotkey_setting)
        if problem and problem != self.hotkey_problem and self.main_window is not None:
            self.main_window.show_notices([problem])
        self.hotkey_problem = problem
        self._show_hotkey_state()
        if self.presence is not None:
            self.presence.menu_changed()  # the tray menu names the combination that works

    def _show_hotkey_state(self) -> None:
        """The main window names the shortcut only while it works (and names the current one)."""
        if self.main_window is None or self.hotkey is None:
            return  # started into the tray: the main window (and its module) is not needed yet
        from capture_app.ui.main_window import hotkey_text

        label = self.main_window.hotkey_label
        text = i18n.tr("ui.home.hotkey", hotkey=hotkey_text(self.config))
        label.setText(text)
        label.setAccessibleName(text)
        label.setVisible(self.hotkey.hotkey is not None)

    def _hotkey_pressed(self) -> None:
        if not self._shutting_down:
            self.new_report()

    def show_main_window(self) -> MainWindow:
        from capture_app.ui.main_window import MainWindow
        from capture_app.ui.platform.first_frame import watch_first_frame

        if self.main_window is None:
            clock = self.presence.clock if self.presence is not None else None
            self.main_window = MainWindow(self.store, closed_log=self.paths.data_dir,
                                          config=self.config, clock=clock, case_title=self.case_title)
            self.main_window.report_requested.connect(self.new_report)
            self.main_window.resume_requested.connect(self.resume)
            self.main_window.settings_requested.connect(self.open_settings)
            self.main_window.outbox_requested.connect(self.show_outbox)
            self.main_window.call_requested.connect(self.call_support)
            self.main_window.closed.connect(self._main_window_closed)
            self.main_window.show_notices(self.startup_notices())
            self._show_hotkey_state()
            if self.presence is not None:
                self.main_window.set_support_hours(self.presence.hours, self.presence.agent_zone)
            if self.sending is not None:
                self.main_window.attach_sending(self.sending)
            watch_first_frame(self.main_window)  # what the start-up adds waits for it
        self.main_window.show()
        self.main_window.raise_()
        self._windows_changed()
        QTimer.singleShot(0, self._ask_identity_once)
        return self.main_window

    def _main_window_closed(self) -> None:
        # Once the window is hidden: it is still on screen while its close event runs.
        QTimer.singleShot(0, self._windows_changed)

    def _windows_changed(self) -> None:
        """The main window or a wizard opened or closed: the launcher (without a tray) follows,
        and once none is open the memory they freed goes back to the system."""
        if self._shutting_down:
            return
        self._return_memory_later()
        if self.presence is not None:
            self.presence.windows_changed()

    def _nothing_open(self) -> bool:
        return not self.wizards and (self.main_window is None or not self.main_window.isVisible())

    def _return_memory_later(self) -> None:
        if self._shutting_down:
            return
        if self._nothing_open():
            self._memory_back.start(MEMORY_BACK_MS)  # again from the start after each change
        else:
            self._memory_back.stop()  # the agent works: a window's closing starts it again

    def _return_memory(self) -> None:
        # glibc keeps what a report freed (its screenshots, pages and stored files: ~25 MB at
        # Full HD) for reuse; an app idling in the tray all day hands it back instead. (Its
        # timer is stopped by shutdown and not started again after it.)
        if self._nothing_open():
            return_freed_memory()

    def _ask_identity_once(self) -> None:
        """First start: who is reporting (not for `capture-app report`, which reports right now)."""
        from capture_app.ui import identity_dialog

        # Not while the agent is reporting (a wizard open, or our windows hidden for the
        # screenshot): the next time the main window shows is soon enough.
        if (self.identity_dialog is not None or self.main_window is None or self._shutting_down
                or not self.main_window.isVisible() or self.wizards
                or not identity_dialog.should_ask(self.config, self.paths)):
            return
        dialog = identity_dialog.IdentityDialog(self.config, self.main_window)
        dialog.finished.connect(lambda _result: identity_dialog.mark_asked(self.paths))
        self.identity_dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def case_title(self, case_id: str) -> str:
        """The title of a triage case in the interface's language ("" for an unknown one)."""
        case = self._triage_catalogue().catalogue.get(case_id)
        return case.title_in(i18n.current_language()) if case is not None else ""

    def _triage_catalogue(self):
        """The built-in triage catalogue with the organisation's triage.toml merged over it."""
        from capture_app.core.triage.catalogue import effective_catalogue, organisation_file

        return effective_catalogue(organisation_file(self.paths.system_config_file))

    def _wizard_env(self):
        from capture_app.core.wizard.steps import WizardContext
        from capture_app.ui.platform.tasks import run_in_background
        from capture_app.ui.wizard.base import WizardEnv

        context = WizardContext(catalogue=self._triage_catalogue().catalogue,
                                max_total_bytes=self.config.get("limits.max_total_mb") * 1024 * 1024)
        return WizardEnv(context=context, config=self.config, store=self.store, run=run_in_background,
                         sending=self.sending_service, closed_log=self.paths.data_dir)

    def open_wizard(self, report, start_step=None, *, show: bool = True):
        """The report's wizard, shown and raised (``show=False``: built but not yet shown, e.g.
        while the screen is being grabbed; a later call shows it)."""
        from capture_app.core.wizard.steps import Step
        from capture_app.ui.wizard.window import WizardWindow

        window = self.wizards.get(report.id) or self._prepared.get(report.id)
        if window is None:
            window = WizardWindow(report, self._wizard_env(), start_step=start_step or Step.TRIAGE,
                                  autosave_delay_ms=self.config.get("drafts.autosave_delay_ms"))
            window.saved.connect(self._refresh_drafts)
            window.closed.connect(self._wizard_closed)
            window.discarded.connect(self._refresh_drafts)
            timing.mark("wizard_built")
        if not show:
            if report.id not in self.wizards:
                self._prepared[report.id] = window
            return window
        self._prepared.pop(report.id, None)
        self.wizards[report.id] = window
        window.show()
        timing.mark("wizard_shown")
        window.raise_()
        window.activateWindow()
        if self.presence is not None:
            self.presence.menu_changed()
        self._windows_changed()
        return window

    def can_record_steps(self) -> bool:
        """*Schritte aufzeichnen* in the tray: while a report is open, unless switched off."""
        return bool(self.wizards) and bool(self.config.get("steps.enabled"))

    def record_steps(self) -> None:
        """Record steps for the report opened last (the tray's command)."""
        if not self.wizards:
            return
        from capture_app.ui.steps.recording import StepSession

        window = list(self.wizards.values())[-1]
        StepSession.of(window).start(window)

    def new_report(self, screen=None):
        """Start a report; the screen as it was is captured first (``screen``: already taken).

        Returns the wizard, or None when it opens once our windows were hidden for the capture.
        """
        timing.mark("report_requested")
        from capture_app.core.report.model import Report, Reporter
        from capture_app.ui.capture.start import open_report

        reporter = Reporter(**{k: self.config.get(f"reporter.{k}") or ""
                               for k in ("name", "email", "organisation", "phone")})
        report = Report.new(language=i18n.current_language(), reporter=reporter)
        report.flexperto_instance = self.config.get("flexperto.instance_url") or ""
        window = open_report(self, report, screen)
        if self.presence is not None:
            self.presence.report_started()  # the notice when support is closed
        else:
            # `capture-app report`: the tray or launcher comes up after the wizard, and the
            # notice with it.
            self._report_before_presence = True
        # Asking the OS for its time zone costs a noticeable moment: do it once the wizard is up
        # (the time step, which uses it, is several steps away).
        QTimer.singleShot(AFTER_FIRST_FRAME_MS, lambda: report.agent_timezone or setattr(
            report, "agent_timezone", local_timezone_name()))
        return window

    def resume(self, report_id: str):
        from capture_app.core.wizard.steps import first_incomplete_step

        try:
            report = self.store.load(report_id)
        except Exception as exc:  # noqa: BLE001 - the agent is told; nothing is lost
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(self.main_window, APP_NAME, _message(exc))
            self._refresh_drafts()
            return None
        window = self.open_wizard(report, first_incomplete_step(report, self._wizard_env().context))
        return window

    def open_settings(self) -> None:
        from capture_app.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.config, self.main_window)
        if dialog.exec() and dialog.language_changed:
            i18n.set_language(self.config.get("ui.language"))
            use_qt_texts(i18n.current_language(), self.app)
            self._rebuild_main_window()
        if dialog.result() and self.hotkey is not None and \
                self.config.get("hotkey.report") != self._hotkey_setting:
            self.start_hotkey()  # the new combination in place of the old one
        if dialog.result() and self.presence is not None:
            self.presence.settings_changed()

    def call_support(self) -> None:
        """Dial support where a program handles tel: links, else show the number."""
        if self.presence is not None:
            self.presence.call_support()
            return
        from capture_app.ui.platform.desktop_links import call_or_show_number

        call_or_show_number(self.config.get("support.phone"), "",
                            lambda box: setattr(self, "call_box", box))

    def show_console_guide(self, browser: str | None = None, os: str | None = None) -> str:
        """The console guide at the section for ``browser`` on ``os`` (names as probes give
        them; ``None``: the overview, or this machine's OS); returns "webview" or "text"."""
        from capture_app.ui.guide.launcher import shared_launcher

        return shared_launcher().show(browser, os)

    # -- sending (ui/sending/sender.py, ui/sending/outbox_window.py)

    def sending_service(self):
        """The outbox and its background sender, created on first use."""
        if self.sending is None:
            from capture_app.ui.sending.sender import SendingService

            self.sending = SendingService(self.config, self.store)
            self.sending.changed.connect(self._sending_changed)
            self.sending.handover_reminder.connect(
                lambda reminder: self.presence.show_reminder(reminder) if self.presence else None)
            if self.main_window is not None:
                self.main_window.attach_sending(self.sending)
        return self.sending

    def start_background_sending(self) -> None:
        """Send what waits (start-up), then whenever it is due or the network comes back."""
        from capture_app.core.report.drafts import DraftStoreUnavailableError

        try:
            self.sending_service().start()
        except DraftStoreUnavailableError as exc:
            # The main window says why (its draft list asks the store); the next start tries again.
            log.warning("background sending not started: %s", exc.key)

    def show_outbox(self):
        from capture_app.ui.sending.outbox_window import OutboxWindow

        if self.outbox_window is None:
            self.outbox_window = OutboxWindow(self.sending_service())
            self.outbox_window.edit_requested.connect(self.resume)
            self.outbox_window.settings_requested.connect(self.open_settings)
        self.outbox_window.refresh()
        self.outbox_window.show()
        self.outbox_window.raise_()
        self.outbox_window.activateWindow()
        return self.outbox_window

    def queued_count(self) -> int:
        """Reports waiting to be sent or being sent (for the tray)."""
        from capture_app.core.report.drafts import DraftStoreUnavailableError

        try:
            return self.sending_service().queued_count()
        except DraftStoreUnavailableError:
            return 0  # the main window says why

    def _sending_changed(self) -> None:
        self._refresh_drafts()
        self._return_memory_later()  # a report built and uploaded: its bundle goes back too
        if self.presence is not None and hasattr(self.presence, "refresh"):
            self.presence.refresh()

    def _rebuild_main_window(self) -> None:
        old = self.main_window
        self.main_window = None
        window = self.show_main_window()
        if old is not None:
            window.move(old.pos())
            old.hide()
            old.deleteLater()

    def _refresh_drafts(self, *_args) -> None:
        # Results of background work can still arrive while the app shuts down.
        if self.main_window is not None and not self._shutting_down:
            self.main_window.refresh()

    def _wizard_closed(self, report_id: str) -> None:
        window = self.wizards.pop(report_id, None)
        if window is not None:
            window.deleteLater()
        if self._shutting_down or self._quitting:  # closed by quitting: nothing comes up
            return
        self._refresh_drafts()
        QTimer.singleShot(0, self._ask_identity_once)  # held back while the agent reported
        if self.presence is not None:  # the app stays in the tray; no window pops up
            self.presence.menu_changed()
            self.presence.refresh()
            self._windows_changed()  # the launcher, without a tray, comes back
            return
        if (self.main_window is None or not self.main_window.isVisible()) and not self.wizards:
            self.show_main_window()

    def start_presence(self, **options) -> None:
        """The tray icon (or the launcher without a tray) and the support-hours reminders."""
        from capture_app.ui.hours.presence import Presence

        if self.presence is None:
            self.presence = Presence(self, **options)
            self.presence.start()
            if self._report_before_presence:
                self._report_before_presence = False
                self.presence.report_started()

    def handle_instance_command(self, command: str) -> None:
        """A second start of the app ("capture-app" or "capture-app report") ended up here."""
        if command == "report":
            self.new_report()
        elif command == "show":
            window = self.show_main_window()
            window.showNormal()
            window.activateWindow()

    def collect_garbage(self) -> None:
        from capture_app.ui.platform.tasks import run_in_background

        run_in_background(lambda: self.store.collect_garbage(),
                          on_error=lambda exc: log.warning("attachment clean-up failed: %s",
                                                           type(exc).__name__))
        run_in_background(self.remove_leftovers,
                          on_error=lambda exc: log.warning("leftover clean-up failed: %s",
                                                           type(exc).__name__))

    def remove_leftovers(self) -> int:
        """Half-written files of killed bundle builds, exports and imports (worker thread)."""
        import tempfile
        from pathlib import Path

        from capture_app.core.platform.fsutil import remove_killed_run_leftovers
        from capture_app.core.sending.service import default_export_folder

        folders = [default_export_folder()]
        if self.config.get("export.folder"):
            folders.append(Path(self.config.get("export.folder")))
        return remove_killed_run_leftovers(self.paths.data_dir / "outbox", folders,
                                           Path(tempfile.gettempdir()))

    def quit(self) -> None:
        """End the app ("Beenden"). Qt closes every window first, then ``aboutToQuit`` runs
        :meth:`shutdown`; a wizard closed on the way keeps its draft and brings up nothing else.
        A wizard whose draft could not be saved asks first: if the agent keeps it, the app goes
        on as before."""
        self._quitting = True
        QApplication.quit()
        QTimer.singleShot(0, self._quit_cancelled)  # runs only if the app is still there

    def _quit_cancelled(self) -> None:
        self._quitting = False

    def stop_late_work(self) -> None:
        """From now on nothing that comes late touches a window: neither the result of a
        background send nor the memory hand-back still waiting on its timer."""
        self._shutting_down = True
        self._memory_back.stop()

    def shutdown(self) -> None:
        from capture_app.ui.capture.evidence_files import wait_for_pending

        self.stop_late_work()
        if self.hotkey is not None:
            self.hotkey.unregister()
        if self.presence is not None:
            self.presence.stop()
        wait_for_pending()  # screenshots still being stored reach their reports first
        for window in list(self.wizards.values()):
            window.close()
        if self.sending is not None:
            self.sending.shutdown()
        self.store.close()


@functools.lru_cache(maxsize=1)
def _warm_up_capture() -> None:
    from capture_app.ui.capture.grabber import capture_pool
    from capture_app.ui.platform.tasks import run_in_background

    run_in_background(_warm_up, on_error=lambda exc: log.info("capture warm-up: %s", exc),
                      pool=capture_pool())


def _warm_up() -> None:
    """Import what the first capture needs, in a worker, while the app idles in the tray.

    The first "Problem melden" after start-up would otherwise pay for importing mss, the PNG
    encoder and the wizard's first page (about 250 ms) between the click and the preview.
    """
    import deflate  # noqa: F401
    import mss

    from capture_app.core.evidence import (
        png,  # noqa: F401
        screenshot,  # noqa: F401
        screenshot_evidence,  # noqa: F401
    )
    from capture_app.core.platform.session import session_kind
    from capture_app.ui.capture import as_it_was  # noqa: F401
    from capture_app.ui.capture.grabber import default_env
    from capture_app.ui.wizard import triage_page, window  # noqa: F401

    if session_kind() in ("x11", "windows") and default_env().can_capture():
        # The first instance finds and loads the system libraries (libxcb, GDI): ~100 ms.
        with mss.MSS():
            pass


def _schedule_start_up_work(app: QApplication, controller: Controller, theme_later: bool) -> None:
    """What follows the first window (or the tray icon), in the event loop's first turns."""
    from capture_app.core.platform.session import NO_SCREEN_PLATFORMS

    QTimer.singleShot(0, controller.start_presence)
    if theme_later:  # before anything else can open a window (the socket, a click)
        from capture_app.ui.platform import theme

        QTimer.singleShot(0, lambda: theme.install(app))
    # Right after the tray icon, whose menu then names it; never from an app that is not on a
    # screen (offscreen in tests), which would take the combination from the desktop DISPLAY
    # names.
    if app.platformName() not in NO_SCREEN_PLATFORMS:
        QTimer.singleShot(0, controller.start_hotkey)
    QTimer.singleShot(1000, _warm_up_capture)  # a fast first "Problem melden" from the tray
    # Queued reports go out in the background once the window is up.
    QTimer.singleShot(1500, controller.start_background_sending)
    # Attachments no saved report refers to (a crash between storing a redacted copy and
    # saving the report, a removed item) are deleted once per start, in the background.
    QTimer.singleShot(5000, controller.collect_garbage)
    # The start-up work is over by then: what it freed goes back to the system.
    QTimer.singleShot(START_UP_OVER_MS, return_freed_memory)


def _tray_available() -> bool:
    from PySide6.QtWidgets import QSystemTrayIcon

    return QSystemTrayIcon.isSystemTrayAvailable()


def _message(exc: BaseException) -> str:
    return exc.message() if hasattr(exc, "message") else i18n.tr(
        "ui.common.unexpected", reason=type(exc).__name__)


def run(*, start_report: bool = False, language: str | None = None,
        exit_when_shown: bool = False, background: bool = False, instance=None,
        screen=None) -> int:
    app = cast("QApplication", QApplication.instance() or QApplication(sys.argv[:1]))
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    from capture_app.ui.platform import icons, theme

    # Started at login into the tray: the icon first, the style and palette (~6 ms) right after
    # it; the icon is a picture, not styled. Without a tray the launcher window is the first
    # thing shown: styled from the start.
    theme_later = background and not exit_when_shown and _tray_available()
    if not theme_later:
        theme.install(app)
    app.setWindowIcon(icons.app_icon())
    paths = default_paths()
    try:
        controller = Controller(app, paths, language=language)
        if not start_report and not background:
            controller.store.open()  # the main window lists the drafts right away
    except Exception as exc:  # noqa: BLE001 - e.g. the data folder cannot be written
        from PySide6.QtWidgets import QMessageBox

        if theme_later:
            theme.install(app)
        QMessageBox.critical(None, APP_NAME, _message(exc))
        return 1
    if instance is not None and not exit_when_shown:
        # Once the first window is up; a start meanwhile waits on the start-up lock.
        QTimer.singleShot(0, lambda: instance.listen(controller.handle_instance_command))
        app.aboutToQuit.connect(instance.close)  # its socket goes with the app
    first_window = None
    if start_report:
        first_window = controller.new_report(screen=screen)
    elif not background:  # started at login: only the tray icon
        first_window = controller.show_main_window()
    if not exit_when_shown:
        if first_window is not None:
            # The tray icon and the global shortcut (~30 ms on this thread) once the window the
            # agent asked for has its first frame on screen.
            from capture_app.ui.platform.first_frame import after_first_frame

            after_first_frame(first_window,
                              lambda: _schedule_start_up_work(app, controller, theme_later))
        else:
            _schedule_start_up_work(app, controller, theme_later)
    if exit_when_shown:
        # Used by benchmarks/startup.py: report when the first window is on screen, then quit.
        def shown() -> None:
            print(f"shown-after-ms {(time.perf_counter() - _START) * 1000:.1f}", flush=True)
            controller.quit()
        QTimer.singleShot(0, shown)
    QTimer.singleShot(0, lambda: setup_logging(paths))  # after the first window is up
    app.aboutToQuit.connect(controller.shutdown)
    return app.exec()
