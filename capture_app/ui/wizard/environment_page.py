"""Step 4: devices and browsers with versions, on the advisor's and on the customer's side.

"This computer" fills the advisor's side from the probes (run in the background as soon as the
step is shown); a pasted user agent fills a side; each side is checked against the list of
supported browsers, with the verdict shown here and written into the report. The customer can
be sent a short text telling how to find the browser version.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from capture_app.core.platform.i18n import LANGUAGES, current_language, tr
from capture_app.core.report.model import DEVICE_TYPES
from capture_app.core.wizard.steps import Step
from capture_app.ui.platform import theme
from capture_app.ui.platform.forms import add_row, fill_combo
from capture_app.ui.wizard.base import StepPage

OPERATING_SYSTEMS = ("Windows", "macOS", "iPadOS", "iOS", "Android", "Linux", "ChromeOS")
BROWSERS = ("Chrome", "Edge", "Firefox", "Safari", "Opera", "Brave", "Samsung Internet")
SIDES = ("advisor_environment", "customer_environment")
SIDE_FIELDS = ("device_type", "os", "os_version", "browser", "browser_version")
UA_DELAY_MS = 350


def _alive(widget) -> bool:
    try:
        import shiboken6

        return shiboken6.isValid(widget)
    except ImportError:  # pragma: no cover
        return True


class EnvironmentPage(StepPage):
    step = Step.ENVIRONMENT

    def build(self, body: QWidget) -> None:
        layout = QVBoxLayout(body)
        from capture_app.ui.environment.system_info_view import ReachabilityBanner

        self.reach_banner = ReachabilityBanner()  # Flexperto unreachable: first thing to see
        layout.addWidget(self.reach_banner)
        self._build_source(layout)
        layout.addLayout(self._build_status())
        self.unknown_boxes: dict[str, QCheckBox] = {}
        self.side_forms: dict[str, QWidget] = {}
        self.support_labels: dict[str, QLabel] = {}
        self.ua_labels: dict[str, QLabel] = {}
        self._ua_timers: dict[str, QTimer] = {}
        self._in_app: dict[str, str] = {}  # side → in-app browser name the user agent revealed
        for side in SIDES:
            layout.addWidget(self._side_box(side))
        layout.addWidget(self._customer_help())
        system_box = QGroupBox(tr("probes.ui.system_group"))
        system_layout = QVBoxLayout(system_box)
        from capture_app.ui.environment.system_info_view import SystemInfoView

        self.system_view = SystemInfoView(self.env.config, self.env.run, system_box)
        self.system_view.changed.connect(self.changed.emit)
        system_layout.addWidget(self.system_view)
        layout.addWidget(system_box)
        layout.addStretch(1)

        self.collecting = False
        self.collected = False
        self.probe_values: dict = {}
        self._auto_filled: dict[str, str] = {}
        self.support_list = None
        self.support_problem = ""
        self.binder.changed.connect(self._field_changed)
        self._load_support_list()
        self._warm_up_parser()

    def _build_source(self, layout: QVBoxLayout) -> None:
        """Is the problem on this computer? Yes fills the advisor's side from the probes."""
        question = QLabel(tr("ui.env.this_machine_question"))
        question.setWordWrap(True)
        layout.addWidget(question)
        answers = QHBoxLayout()
        self.this_machine = QRadioButton(tr("ui.env.this_machine_yes"))
        self.other_machine = QRadioButton(tr("ui.env.this_machine_no"))
        group = QButtonGroup(self)
        for button in (self.this_machine, self.other_machine):
            button.setAccessibleName(f"{question.text()} {button.text().replace('&', '')}")
            group.addButton(button)
            answers.addWidget(button)
        answers.addStretch(1)
        layout.addLayout(answers)
        self.this_machine.toggled.connect(self._source_changed)

    def _build_status(self) -> QHBoxLayout:
        """What the probes are doing, and *Erneut erfassen*."""
        status_row = QHBoxLayout()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName(tr("probes.ui.system_group"))
        status_row.addWidget(self.status, 1)
        self.collect_button = QPushButton(tr("probes.ui.collect_again"))
        self.collect_button.setAccessibleName(tr("probes.ui.collect_again").replace("&", ""))
        self.collect_button.setAccessibleDescription(tr("probes.ui.collect_again_hint"))
        self.collect_button.setToolTip(tr("probes.ui.collect_again_hint"))
        self.collect_button.clicked.connect(self.start_collection)
        status_row.addWidget(self.collect_button)
        return status_row

    # -- layout

    def _side_box(self, side: str) -> QGroupBox:
        box = QGroupBox(tr(f"ui.env.{side}"))
        outer = QVBoxLayout(box)
        unknown = QCheckBox(tr("ui.env.unknown"))
        unknown.setAccessibleName(f"{tr(f'ui.env.{side}')}: {tr('ui.env.unknown').replace('&', '')}")
        self.binder.bind(unknown, f"{side}.unknown")
        unknown.toggled.connect(self.refresh)
        self.unknown_boxes[side] = unknown
        outer.addWidget(unknown)
        outer.addWidget(self._side_fields(side))
        support = QLabel()
        support.setWordWrap(True)
        support.setAccessibleName(f"{tr(f'ui.env.{side}')}: {tr('probes.ui.support_label')}")
        outer.addWidget(support)
        self.support_labels[side] = support
        if side == "advisor_environment":
            self.installed_label = QLabel()
            self.installed_label.setWordWrap(True)
            self.installed_label.setAccessibleName(tr("probes.field.browsers.installed"))
            outer.addWidget(self.installed_label)
        return box

    def _side_fields(self, side: str) -> QWidget:
        """Device, system, browser and user agent of one side, with what the user agent says."""
        fields = QWidget()
        form = QFormLayout(fields)
        form.setContentsMargins(0, 0, 0, 0)
        bind = self.binder.bind
        prefix = tr(f"ui.env.{side}")
        device = QComboBox()
        fill_combo(device, DEVICE_TYPES, "ui.device")
        os_combo = QComboBox()
        os_combo.setEditable(True)
        os_combo.addItems(("", *OPERATING_SYSTEMS))
        browser = QComboBox()
        browser.setEditable(True)
        browser.addItems(("", *BROWSERS))
        user_agent = QLineEdit()
        rows = (("device_type", device, True, None), ("os", os_combo, False, None),
                ("os_version", QLineEdit(), False, "ui.env.os_version_hint"),
                ("browser", browser, True, None),
                ("browser_version", QLineEdit(), True, "ui.env.browser_version_hint"),
                ("user_agent", user_agent, False, "ui.env.user_agent_hint"),
                ("notes", QLineEdit(), False, None))
        for name, widget, required, hint in rows:
            add_row(form, f"ui.env.{name}", bind(widget, f"{side}.{name}"), required=required,
                    hint_key=hint)
            # Two sides share labels: tell screen-reader users which side a field belongs to.
            widget.setAccessibleName(f"{prefix}: {widget.accessibleName()}")
            line_edit = widget.lineEdit() if isinstance(widget, QComboBox) else None
            if line_edit is not None:  # an editable combo box
                line_edit.setAccessibleName(widget.accessibleName())
        ua_label = QLabel()
        ua_label.setWordWrap(True)
        ua_label.setAccessibleName(f"{prefix}: {tr('ui.env.user_agent')}")
        form.addRow("", ua_label)
        self.ua_labels[side] = ua_label
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(UA_DELAY_MS)
        timer.timeout.connect(lambda s=side: self._parse_user_agent(s))
        self._ua_timers[side] = timer
        user_agent.textEdited.connect(lambda _t, s=side: self._ua_timers[s].start())
        self.side_forms[side] = fields
        return fields

    def _customer_help(self) -> QGroupBox:
        box = QGroupBox(tr("probes.ui.customer_help"))
        form = QFormLayout(box)
        self.help_language = QComboBox()
        for code, name in LANGUAGES.items():
            self.help_language.addItem(name, code)  # customers are German-speaking: German first
        self.help_language.setAccessibleName(tr("probes.ui.customer_help_language"))
        label = QLabel(tr("probes.ui.customer_help_language"))
        label.setBuddy(self.help_language)
        form.addRow(label, self.help_language)
        self.help_text = QPlainTextEdit()
        self.help_text.setReadOnly(True)
        self.help_text.setTabChangesFocus(True)
        self.help_text.setAccessibleName(tr("probes.ui.customer_help_text"))
        self.help_text.setMinimumHeight(150)
        form.addRow(self.help_text)
        row = QHBoxLayout()
        self.copy_button = QPushButton(tr("probes.ui.copy"))
        self.copy_button.setAccessibleName(tr("probes.ui.copy").replace("&", ""))
        self.copy_button.setAccessibleDescription(tr("probes.ui.copy_hint"))
        self.copy_button.setToolTip(tr("probes.ui.copy_hint"))
        self.copy_button.clicked.connect(self.copy_help)
        row.addWidget(self.copy_button)
        self.copied = QLabel()
        self.copied.setAccessibleName(tr("probes.ui.copy").replace("&", ""))
        row.addWidget(self.copied, 1)
        form.addRow(row)
        self.help_language.currentIndexChanged.connect(self._show_help)
        self._show_help()
        return box

    def _show_help(self, *_args) -> None:
        self.help_text.setPlainText(tr("probes.customer.text", language=self.help_language.currentData()))
        self.copied.clear()

    def copy_help(self) -> None:
        QGuiApplication.clipboard().setText(self.help_text.toPlainText())
        self.copied.setText(tr("probes.ui.copied"))

    # -- loading and the agent's answers

    def load(self, report) -> None:
        super().load(report)
        on_this = report.advisor_environment.source == "this_machine"
        for button, checked in ((self.this_machine, on_this), (self.other_machine, not on_this)):
            button.blockSignals(True)
            button.setChecked(checked)
            button.blockSignals(False)
        self.system_view.show_report(report)
        if not report.system.values and not self.collecting and not self.collected:
            self.start_collection()
        for side in SIDES:
            self._check_support(side)

    def _source_changed(self, _checked: bool) -> None:
        if self.report is None:
            return
        self.report.advisor_environment.source = (
            "this_machine" if self.this_machine.isChecked() else "manual")
        self._set_machine_role()
        if self.this_machine.isChecked():
            if self.probe_values:
                self._fill_advisor_side()
            elif not self.collecting:
                self.start_collection()
        self.changed.emit()

    def refresh(self) -> None:
        if self.report is None:
            return
        for side, fields in self.side_forms.items():
            fields.setEnabled(not getattr(self.report, side).unknown)

    def _field_changed(self, path: str) -> None:
        side, _, name = path.partition(".")
        if side in SIDES and name in SIDE_FIELDS:
            self._check_support(side)

    # -- this computer

    def start_collection(self) -> None:
        """Run every probe in the background; the form stays usable meanwhile."""
        if self.collecting:
            return
        from capture_app.core.environment.probes import Screen, collect, default_probes

        screens = []
        for screen in QGuiApplication.screens():
            ratio = screen.devicePixelRatio()
            size = screen.geometry()
            screens.append(Screen(round(size.width() * ratio), round(size.height() * ratio), ratio))
        config = self.env.config
        self.collecting = True
        self.collect_button.setEnabled(False)
        self.status.setText(tr("probes.ui.collecting_start"))
        started = time.perf_counter()

        def work(progress):
            return collect(default_probes(config, screens=screens or None), progress=progress)

        self.env.run(work, on_success=lambda c: self._collected(c, started),
                     on_error=self._collection_failed, parent=self, on_progress=self._progressed)

    def _progressed(self, done: int, total: int) -> None:
        if _alive(self) and self.collecting:
            self.status.setText(tr("probes.ui.collecting", done=done, total=total))

    def _collected(self, collection, started: float) -> None:
        if not _alive(self) or self.report is None:
            return
        from capture_app.core.environment.system_info import apply_collection, remembered_exclusions

        self.collecting = False
        self.collected = True
        self.collect_button.setEnabled(True)
        self.probe_values = collection.values()
        language = self.report.language if self.report.language in LANGUAGES else current_language()
        values = collection.rendered(language)
        apply_collection(self.report, values, remembered_exclusions(self.env.config))
        self._set_machine_role(show=False)
        self.status.setText(tr("probes.ui.collected", seconds=f"{time.perf_counter() - started:.1f}"))
        installed = values.get("browsers.installed", "")
        self.installed_label.setText(tr("probes.ui.installed", browsers=installed) if installed else "")
        if self.this_machine.isChecked():
            self._fill_advisor_side()
        self.system_view.show_report(self.report)
        self.reach_banner.show_values(self.probe_values, self.env.config.get("flexperto.instance_url") or "")
        self.changed.emit()

    def _collection_failed(self, exc: BaseException) -> None:
        if not _alive(self):
            return
        self.collecting = False
        self.collect_button.setEnabled(True)
        self.status.setText(tr("probes.ui.collect_failed", reason=type(exc).__name__))

    def _set_machine_role(self, show: bool = True) -> None:
        if self.report is None or not self.report.system.values:
            return
        role = "advisor" if self.report.advisor_environment.source == "this_machine" else "agent"
        language = self.report.language if self.report.language in LANGUAGES else current_language()
        self.report.system.values["machine.role"] = tr(f"probes.machine.{role}", language=language)
        if show:
            self.system_view.show_report(self.report)

    def _fill_advisor_side(self) -> None:
        """Fill what the agent has not typed: empty fields, or ones filled from probes before."""
        from capture_app.core.environment.probes.base import Unknown, render_value
        from capture_app.core.environment.probes.browsers import BROWSERS
        from capture_app.core.environment.system_info import advisor_side

        side = self.loaded.advisor_environment
        filled = advisor_side(self.probe_values, self.loaded.language)
        typed = side.browser if side.browser != self._auto_filled.get("browser") else ""
        if typed and typed != filled.get("browser"):
            # The agent named another browser: its installed version, or none at all.
            browser_id = next((b for b, shown in BROWSERS.items() if shown.lower() == typed.lower()), None)
            version = self.probe_values.get(f"browsers.{browser_id}") if browser_id else None
            filled.pop("browser_version", None)
            if version is not None and not isinstance(version, Unknown):
                filled["browser_version"] = render_value(version).split(";")[0].strip()
        for name, value in filled.items():
            current = getattr(side, name)
            if current and current != self._auto_filled.get(name):
                continue
            self._set_field("advisor_environment", name, value)
            self._auto_filled[name] = value
        if filled:
            browser = " ".join(p for p in (filled.get("browser"), filled.get("browser_version")) if p)
            summary = tr("probes.ui.summary_on", browser=browser, os=filled["os"]) \
                if browser and filled.get("os") else browser or filled.get("os", "")
            self.status.setText(tr("probes.ui.filled", summary=summary))

    def _set_field(self, side: str, name: str, value: str) -> None:
        widget = self.binder.widgets[f"{side}.{name}"]
        if isinstance(widget, QComboBox):
            index = widget.findData(value) if not widget.isEditable() else widget.findText(value)
            if index >= 0:
                widget.setCurrentIndex(index)
            elif widget.isEditable():
                widget.setEditText(value)
        elif isinstance(widget, QLineEdit):
            widget.setText(value)

    # -- pasted user agents

    def _parse_user_agent(self, side: str) -> None:
        from capture_app.core.environment.useragent import parse_user_agent

        text = getattr(self.report, side).user_agent if self.report else ""
        label = self.ua_labels[side]
        if not text.strip():
            label.clear()
            self._in_app.pop(side, None)
            self._check_support(side)
            return
        label.setText(tr("probes.ui.ua_parse"))

        def done(parsed) -> None:
            if not _alive(self) or getattr(self.report, side).user_agent != text:
                return  # the agent changed the text meanwhile; its own parse follows
            self._apply_user_agent(side, parsed)

        def failed(exc: BaseException) -> None:
            if not _alive(self) or getattr(self.report, side).user_agent != text:
                return
            reason = exc.message() if hasattr(exc, "message") else type(exc).__name__
            label.setText(tr("probes.ui.ua_failed", reason=reason))
            label.setStyleSheet(theme.text_colour_style("warning"))

        self.env.run(lambda: parse_user_agent(text), on_success=done, on_error=failed, parent=self)

    def _apply_user_agent(self, side: str, parsed) -> None:
        updates = {"os": parsed.os, "os_version": parsed.os_version, "browser": parsed.browser,
                   "browser_version": parsed.browser_version}
        if parsed.device_type:
            updates["device_type"] = parsed.device_type
        if parsed.in_app:
            self._in_app[side] = parsed.browser
        else:
            self._in_app.pop(side, None)
        for name, value in updates.items():
            if value:
                self._set_field(side, name, value)
        browser = tr("probes.ui.summary_browser", browser=parsed.browser, version=parsed.browser_version)
        summary = tr("probes.ui.summary_on", browser=browser.strip(),
                     os=f"{parsed.os} {parsed.os_version}".strip()) if parsed.os else browser.strip()
        lines = [tr("probes.ui.ua_parsed", summary=summary)] + [note.render() for note in parsed.notes]
        label = self.ua_labels[side]
        label.setText("\n".join(lines))
        label.setStyleSheet(theme.text_colour_style("warning") if parsed.in_app else "")
        self._check_support(side)

    # -- supported browsers

    def _load_support_list(self) -> None:
        from capture_app.core.environment.browser_support import SupportListError, load_support_list

        configured = ""
        try:
            configured = self.env.config.get("system_info.supported_browsers_file") or ""
        except (KeyError, AttributeError):
            pass

        def load():
            problem = ""
            if configured:
                try:
                    return load_support_list(configured), problem
                except SupportListError as exc:
                    problem = exc.message()
            return load_support_list(), problem

        def loaded(result) -> None:
            if not _alive(self):
                return
            self.support_list, self.support_problem = result
            for side in SIDES:
                self._check_support(side)

        self.env.run(load, on_success=loaded, parent=self)

    def _warm_up_parser(self) -> None:
        from capture_app.core.environment.useragent import warm_up

        self.env.run(warm_up, parent=self)

    def _check_support(self, side: str) -> None:
        if self.report is None or self.support_list is None:
            return
        from capture_app.core.environment.browser_support import UNCHECKED, check

        env = getattr(self.report, side)
        label = self.support_labels[side]
        in_app = self._in_app.get(side)
        if env.unknown:
            verdict_status, message = "", None
        else:
            verdict = check(self.support_list, env.browser, env.browser_version, env.os,
                            in_app=bool(in_app) and env.browser == in_app)
            verdict_status, message = verdict.status, verdict.message
            if verdict_status == UNCHECKED:
                verdict_status = ""
        language = self.report.language if self.report.language in LANGUAGES else current_language()
        note = message.render(language) if message is not None else ""
        shown = message.render() if message is not None else ""
        if self.support_problem and side == "advisor_environment":
            shown = "\n".join(t for t in (shown, tr("probes.ui.support_list_problem",
                                                     message=self.support_problem)) if t)
        label.setText(shown)
        warning = verdict_status not in ("", "supported")
        label.setStyleSheet(theme.text_colour_style("warning" if warning else "ok"))
        label.setProperty("warning", warning)
        if (env.support_status, env.support_note) != (verdict_status, note):
            env.support_status, env.support_note = verdict_status, note
            self.changed.emit()
