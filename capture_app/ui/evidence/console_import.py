"""Console messages and network logs in the evidence step: paste or import, check, clean, attach.

``add_console_tools(page, layout)`` puts a row of buttons above the evidence table —
"Konsolenmeldungen einfügen…", "HAR importieren…", "Anleitung öffnen" — and returns the object
that also takes over console and HAR files added with the page's general "Hinzufügen": a raw
log never becomes evidence; what is attached is the cleaned, budgeted text (``core.console_log``)
or the sanitised HAR (``core.har``), with a summary for the report. Bad input gets its own
message and leaves the report as it was.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from capture_app.core.evidence import console_log
from capture_app.core.platform.i18n import tr
from capture_app.ui.platform.headers import fit_columns
from capture_app.ui.platform.screen_fit import resize_to_fit

# Work folders in the system's temporary folder; what a killed app left there is removed at start
# (``remove_stale_work_folders``).
WORK_PREFIX = "report-capture-"
SHOWN_ROWS = 500  # the dialog lists this many grouped entries; the attachment has its budget
LEVEL_COLOURS = {"error": "#c42b1c", "warning": "#9a5b00"}


def remove_stale_work_folders(older_than_s: float = 3600) -> int:
    """Work folders of console and HAR imports left behind by a killed app; returns how many."""
    from capture_app.core.platform.fsutil import remove_stale

    return remove_stale(Path(tempfile.gettempdir()),
                        (WORK_PREFIX + "har-*", WORK_PREFIX + "console-*"), older_than_s)


def _message(exc: BaseException) -> str:
    return exc.message() if hasattr(exc, "message") else tr("ui.common.unexpected",
                                                            reason=type(exc).__name__)


# --- work done off the UI thread --------------------------------------------------------------

@dataclass
class Source:
    """Console output to attach: pasted text, or a file that is read in the worker."""

    text: str | None = None
    path: Path | None = None
    name: str = ""


def _limits(config):
    from capture_app.core.evidence.importing import ImportLimits

    return ImportLimits(max_file_bytes=config.get("limits.max_file_mb") * 1024 * 1024,
                        max_image_pixels=config.get("limits.max_image_pixels"))


def attach_console(report, source: Source, store_fn, limits, language: str):
    """Read, check, clean and budget console output and store it as evidence (worker thread).

    Returns the new ``EvidenceItem``; ``report`` is a scratch copy used for unique names only.
    """
    from capture_app.core.evidence.importing import import_evidence

    if source.path is not None:
        text = console_log.read_file(source.path, name=source.name or source.path.name)
    else:
        text = source.text or ""
        console_log.check_text(text)
    parsed = console_log.parse(text)
    rendered = console_log.render_report(parsed, language, source_name=source.name)
    stem = Path(source.name).stem if source.name else tr("console.file_stem", language=language)
    with tempfile.TemporaryDirectory(prefix=WORK_PREFIX + "console-") as folder:
        target = Path(folder) / f"{stem}.txt"
        target.write_text(rendered.text, encoding="utf-8")
        item = import_evidence(report, target, "console", store_fn, limits,
                               original_name=source.name or target.name,
                               title=tr("console.item_title", language=language,
                                        formats=console_log.describe_formats(parsed, language)))
    item.summary = console_log.summary_text(parsed, language)
    return item


def attach_har(report, path: Path, store_fn, limits, language: str, name: str = "", progress=None,
               options=None):
    """Sanitise a HAR and store the result as network evidence (worker thread).

    A result over the attachment limit raises ``HarTooLargeError`` with the way to fit it
    (without response bodies, then without the largest entries); attaching with
    ``options=error.plan.options()`` follows it.
    """
    from capture_app.core.evidence import har
    from capture_app.core.evidence.importing import import_evidence

    shown = name or path.name
    with tempfile.TemporaryDirectory(prefix=WORK_PREFIX + "har-") as folder:
        stem = Path(shown).stem or "network"
        target = Path(folder) / f"{stem}.har"
        result = har.sanitise_har_file(path, target, options or har.DEFAULT_OPTIONS, name=shown,
                                       progress=progress)
        size = target.stat().st_size
        if size > limits.max_file_bytes:
            plan = har.plan_to_fit(path, limits.max_file_bytes, options or har.DEFAULT_OPTIONS,
                                   name=shown)
            raise har.HarTooLargeError(plan, name=shown, size=size, limit=limits.max_file_bytes)
        item = import_evidence(report, target, "network", store_fn, limits, original_name=shown,
                               title=tr("console.har_item_title", language=language,
                                        entries=result.entries))
    item.summary = har.summary_text(result, language)
    return item, result


# --- the paste dialog ---------------------------------------------------------------------------

class PasteArea(QPlainTextEdit):
    """A text field that refuses a paste larger than the console limit before it is inserted."""

    refused = Signal(str)

    def insertFromMimeData(self, source) -> None:
        text = source.text() if source.hasText() else ""
        if len(text) > console_log.MAX_INPUT_BYTES:
            self.refused.emit(console_log.paste_too_large(len(text)).message())
            return
        super().insertFromMimeData(source)


class ConsoleImportDialog(QDialog):
    """Paste or open console output, see it parsed (errors first), then attach it."""

    def __init__(self, run, parent: QWidget | None = None, on_guide=None):
        super().__init__(parent)
        self.run = run
        self.setWindowTitle(tr("console.dialog_title"))
        self.setAccessibleName(tr("console.dialog_title"))
        resize_to_fit(self, 860, 640)
        layout = QVBoxLayout(self)
        intro = QLabel(tr("console.dialog_intro"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.paste = PasteArea()
        self.paste.setPlaceholderText(tr("console.paste_placeholder"))
        self.paste.setAccessibleName(tr("console.paste_name"))
        self.paste.setTabChangesFocus(True)
        self.paste.textChanged.connect(self._text_changed)
        self.paste.refused.connect(self._show_problem)
        layout.addWidget(self.paste, 2)
        row = QHBoxLayout()
        self.open_button = QPushButton(tr("console.open_file"))
        self.open_button.setAccessibleName(tr("console.open_file").replace("&", ""))
        self.open_button.clicked.connect(self.choose_file)
        row.addWidget(self.open_button)
        if on_guide is not None:
            guide = QPushButton(tr("console.open_guide"))
            guide.setAccessibleName(tr("console.open_guide").replace("&", ""))
            guide.clicked.connect(on_guide)
            row.addWidget(guide)
        row.addStretch(1)
        layout.addLayout(row)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName(tr("console.status_name"))
        layout.addWidget(self.status)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([tr("console.col_level"), tr("console.col_count"),
                                              tr("console.col_time"), tr("console.col_source"),
                                              tr("console.col_message")])
        self.table.setAccessibleName(tr("console.entries_name"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        fit_columns(self.table, 4)
        layout.addWidget(self.table, 3)
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton(tr("console.attach"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setAccessibleName(tr("console.attach").replace("&", ""))
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(tr("console.cancel"))
        cancel.setAccessibleName(tr("console.cancel").replace("&", ""))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self._cancel)
        layout.addWidget(self.buttons)
        self.ok_button.setEnabled(False)
        self.source = Source()
        self.parsed: console_log.ParsedLog | None = None
        self._generation = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(350)
        self._timer.timeout.connect(self._parse_paste)

    # -- leaving: pasted text exists nowhere else once the clipboard changes, so throwing it away
    #    (Esc, *Abbrechen*, the window's close button) is asked first; an opened file stays where
    #    it is, and closing from the program (the wizard closing) asks nothing

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self._cancel()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event) -> None:
        if event.spontaneous() and not self._may_discard():
            event.ignore()
            return
        super().closeEvent(event)

    def _cancel(self) -> None:
        if self._may_discard():
            self.reject()

    def _may_discard(self) -> bool:
        if not self.paste.toPlainText().strip():
            return True
        answer = QMessageBox.question(
            self, tr("console.discard_title"), tr("console.discard_question"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            return True
        self.paste.setFocus()
        return False

    # -- input

    def _text_changed(self) -> None:
        if self.source.path is not None and self.paste.toPlainText():
            self.source = Source()  # typing or pasting replaces an opened file
        self.ok_button.setEnabled(False)
        self._timer.start()

    def _parse_paste(self) -> None:
        text = self.paste.toPlainText()
        if self.source.path is not None and not text:
            return
        if not text.strip():
            self._clear(tr("console.waiting"))
            return
        self.source = Source(text=text)
        self._parse(lambda: _checked_parse(text))

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("console.open_file_title"), "",
                                              tr("console.file_filter"))
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> None:
        self.source = Source(path=path, name=path.name)
        self.paste.blockSignals(True)
        self.paste.clear()
        self.paste.blockSignals(False)
        self._parse(lambda: console_log.parse(console_log.read_file(path)), loading=path.name)

    def _parse(self, op, loading: str = "") -> None:
        self._generation += 1
        generation = self._generation
        self.status.setText(tr("console.reading", name=loading) if loading else tr("console.parsing"))

        def done(parsed) -> None:
            if generation == self._generation:
                self._show(parsed)

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self._show_problem(_message(exc))

        self.run(op, on_success=done, on_error=failed, parent=self)

    # -- output

    def _clear(self, text: str) -> None:
        self.parsed = None
        self.table.setRowCount(0)
        self.status.setText(text)
        self.status.setStyleSheet("")
        self.ok_button.setEnabled(False)

    def _show_problem(self, message: str) -> None:
        self._clear(message)
        self.status.setStyleSheet("color: #c42b1c;")

    def _show(self, parsed: console_log.ParsedLog) -> None:
        from capture_app.core.platform.i18n import current_language

        self.parsed = parsed
        language = current_language()
        ranked = parsed.errors_first()
        self.table.setRowCount(min(len(ranked), SHOWN_ROWS))
        for row, entry in enumerate(ranked[:SHOWN_ROWS]):
            cells = [tr(f"console.level_{entry.level}"), str(entry.count), entry.time,
                     entry.location, entry.headline]
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if column == 4 and "\n" in entry.message:
                    cell.setToolTip(entry.message)
                if entry.level in LEVEL_COLOURS and column in (0, 4):
                    cell.setForeground(QBrush(QColor(LEVEL_COLOURS[entry.level])))
                self.table.setItem(row, column, cell)
        self.table.resizeColumnsToContents()
        fit_columns(self.table, 4)
        text = console_log.summary_text(parsed, language).split("\n")[0]
        formats = console_log.describe_formats(parsed, language)
        if formats:
            text += " " + tr("console.report_formats", formats=formats)
        if len(ranked) > SHOWN_ROWS:
            text += " " + tr("console.more_rows", n=len(ranked) - SHOWN_ROWS)
        if parsed.removed:
            text += " " + tr("console.report_removed", n=sum(parsed.removed.values()))
        self.status.setText(text)
        self.status.setStyleSheet("")
        self.ok_button.setEnabled(bool(parsed.entries))


def _checked_parse(text: str) -> console_log.ParsedLog:
    console_log.check_text(text)
    return console_log.parse(text)


# --- the evidence step's tools ---------------------------------------------------------------------

class ConsoleTools(QObject):
    """The console and network-log part of the evidence step."""

    attached = Signal(object)  # the EvidenceItem that was added

    def __init__(self, page) -> None:
        super().__init__(page)
        self.page = page
        self.paste_button = self._button("console.paste_button", self.paste_console,
                                         "console.paste_hint")
        self.har_button = self._button("console.har_button", self.choose_har, "console.har_hint")
        self.guide_button = self._button("console.guide_button", self.open_guide,
                                         "console.guide_hint")
        self.last_messages: list[str] = []
        self.dialog: ConsoleImportDialog | None = None
        self.fit_offers: list[QMessageBox] = []  # open offers to attach a HAR reduced

    def _button(self, key: str, slot, hint: str) -> QPushButton:
        button = QPushButton(tr(key))
        button.setAccessibleName(tr(key).replace("&", ""))
        button.setToolTip(tr(hint))
        button.clicked.connect(slot)
        return button

    def row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        for button in (self.paste_button, self.har_button, self.guide_button):
            row.addWidget(button)
        row.addStretch(1)
        return row

    # -- the guide

    def affected_environment(self):
        report = self.page.report
        if report is None:
            return None
        side = report.description.affected
        env = report.customer_environment if side == "customer" else report.advisor_environment
        if not (env.browser or env.user_agent) and side == "both":
            env = report.customer_environment
        return env

    def open_guide(self) -> str:
        from capture_app.ui.guide.launcher import shared_launcher

        env = self.affected_environment()
        browser = (env.browser or env.user_agent) if env is not None else None
        system = (env.os or env.user_agent) if env is not None else None
        return shared_launcher().show(browser or None, system or None)

    # -- console messages

    def paste_console(self) -> ConsoleImportDialog:
        dialog = ConsoleImportDialog(self.page.env.run, self.page, on_guide=self.open_guide)
        dialog.accepted.connect(lambda: self.attach(dialog.source))
        self.dialog = dialog
        dialog.open()
        return dialog

    def attach(self, source: Source, on_done=None) -> None:
        config, report = self.page.env.config, self.page.report
        scratch = _scratch(report)
        store_fn, limits, language = self.page.env.store.store_attachment, _limits(config), report.language
        self._run(lambda: [attach_console(scratch, source, store_fn, limits, language)], on_done,
                  tr("console.attaching"))

    # -- network logs

    def choose_har(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self.page, tr("console.har_choose_title"), "",
                                                tr("console.har_filter"))
        if paths:
            self.attach_hars([Path(p) for p in paths])

    def attach_hars(self, paths: list[Path], on_done=None, options=None) -> None:
        config, report = self.page.env.config, self.page.report
        scratch = _scratch(report)
        store_fn, limits, language = self.page.env.store.store_attachment, _limits(config), report.language
        too_large: list[tuple[Path, BaseException]] = []

        def work(progress):
            from capture_app.core.evidence.har import HarTooLargeError

            items = []
            for path in paths:
                try:
                    item, _ = attach_har(scratch, path, store_fn, limits, language,
                                         progress=progress, options=options)
                except HarTooLargeError as exc:
                    too_large.append((path, exc))
                    continue
                scratch.evidence.append(item)
                items.append(item)
            return items

        def done(items, messages) -> None:
            for path, exc in too_large:
                self.offer_fit(path, exc, on_done)
            if on_done is not None:
                if items or messages or not too_large:
                    on_done(items, messages)
            elif messages:
                QMessageBox.warning(self.page, tr("console.refused_title"), messages[0])

        self._run(work, done, tr("console.har_sanitising"))

    def offer_fit(self, path: Path, exc, on_done=None) -> QMessageBox:
        """Ask whether to attach the HAR reduced to fit (the message says what stays)."""
        box = QMessageBox(QMessageBox.Icon.Question, tr("console.har_fit_title"), exc.message(),
                          parent=self.page)
        accept = box.addButton(tr("console.har_fit_accept"), QMessageBox.ButtonRole.AcceptRole)
        accept.setAccessibleName(tr("console.har_fit_accept").replace("&", ""))
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        cancel.setText(tr("console.cancel"))
        cancel.setAccessibleName(tr("console.cancel").replace("&", ""))
        box.setAccessibleName(tr("console.har_fit_title"))

        def answered(button) -> None:
            if button is accept:
                self.attach_hars([path], on_done, options=exc.plan.options())
            elif on_done is not None:
                on_done([], [exc.message()])  # declined: the caller hears why nothing came

        box.buttonClicked.connect(answered)
        self.fit_offers.append(box)
        box.finished.connect(lambda _result: self.fit_offers.remove(box)
                             if box in self.fit_offers else None)
        box.open()
        return box

    # -- files added through the page's general "Hinzufügen"

    def intercept(self, paths: list[Path], kind: str, on_done=None) -> bool:
        """Take over console and network files: they are attached cleaned, never raw."""
        hars = [p for p in paths if kind == "network" or (kind == "other" and p.suffix.lower() == ".har")]
        logs = [p for p in paths if kind == "console"]
        if not hars and not logs:
            return False
        rest = [p for p in paths if p not in hars and p not in logs]
        if rest:
            self.page.add_files(rest, kind)
        if hars:
            self.attach_hars(hars, on_done)
        for path in logs:
            self.attach(Source(path=path, name=path.name), on_done)
        return True

    # -- shared

    def _run(self, op, on_done, label: str) -> None:
        page = self.page

        def done(items) -> None:
            taken = {item.filename for item in page.report.evidence}
            from capture_app.core.platform.fsutil import unique_name

            for item in items:
                if item.filename in taken:
                    item.filename = unique_name(item.filename, taken)
                taken.add(item.filename)
                page.report.evidence.append(item)
                self.attached.emit(item)
            page.refresh()
            page.changed.emit()
            if on_done is not None:
                on_done(items, [])

        def failed(exc: BaseException) -> None:
            message = _message(exc)
            self.last_messages.append(message)
            if on_done is not None:
                on_done([], [message])
                return
            QMessageBox.warning(page, tr("console.refused_title"), message)

        page.env.run(op, on_success=done, on_error=failed, parent=page, progress_label=label)


def _scratch(report):
    from capture_app.core.report.model import Report

    return Report(id=report.id, evidence=list(report.evidence), language=report.language)


def add_console_tools(page, layout) -> ConsoleTools:
    """The hook for the evidence page: the row goes right above the evidence table."""
    tools = ConsoleTools(page)
    index = layout.indexOf(page.table)
    layout.insertLayout(index if index >= 0 else layout.count(), tools.row())
    return tools
