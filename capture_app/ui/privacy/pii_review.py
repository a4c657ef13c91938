"""Personal data in the Review step: e-mail addresses, phone numbers and IBANs in what is sent.

The report preview highlights them; a list names each finding and where it is (a field of the
report, or a console or network log); one click masks the chosen ones — or all. A masked log is
stored as a new attachment (the reviewed file is never rewritten in place), and the report then
points to it. Flags are information, not a block: a report about changing an e-mail address
has to contain e-mail addresses.
"""
from __future__ import annotations

import dataclasses

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from capture_app.core.platform.i18n import has, tr
from capture_app.core.privacy import pii, screenshot_pii
from capture_app.ui.platform.headers import fit_columns

FINDING_ROLE = Qt.ItemDataRole.UserRole + 1
MAX_SCAN_BYTES = 30 * 1024 * 1024


OWN_COLOUR = "#d6ecff"  # the agent's own contact data: the same colour in preview and panel


class PiiHighlighter(QSyntaxHighlighter):
    """Marks every finding in a text document (the Review step's preview): personal data to
    check in yellow, the reporting agent's own contact data (``own``) in light blue."""

    def __init__(self, document) -> None:
        super().__init__(document)
        self.finding_format = QTextCharFormat()
        self.finding_format.setBackground(QColor("#ffe08a"))
        self.finding_format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
        self.finding_format.setUnderlineColor(QColor("#b06000"))
        self.own_format = QTextCharFormat()
        self.own_format.setBackground(QColor(OWN_COLOUR))
        self.own: list[pii.PiiMatch] = []  # pii.own_contact of the report shown
        self.marked: set[str] = set()  # what was highlighted (for tests and diagnostics)
        self.own_marked: set[str] = set()

    def highlightBlock(self, text: str) -> None:
        for match in pii.find_pii(text):
            mine = pii.is_own(match, self.own)
            self.setFormat(match.start, match.end - match.start, self.own_format if mine else self.finding_format)
            (self.own_marked if mine else self.marked).add(match.text)


def read_text(path) -> str | None:
    try:
        if path.stat().st_size > MAX_SCAN_BYTES:
            return None
        return path.read_bytes().decode("utf-8", "replace")
    except OSError:
        return None


def source_label(report, source: str) -> str:
    kind, _, rest = source.partition(":")
    if kind == "field":
        section, _, name = rest.rpartition(".")
        if rest in ("summary", "meeting_reference"):
            return tr(f"bundle.field.report.{rest}")
        if section in ("advisor_environment", "customer_environment"):
            return f"{tr(f'bundle.section.{section}')}: {tr('bundle.field.environment.notes')}"
        key = f"bundle.field.{section}.{name}"
        return tr(key) if has(key) else rest
    if kind == "case_field":
        return tr("console.pii_case_field", name=rest)
    item_id = rest.split(":", 1)[0]
    item = report.evidence_item(item_id)
    name = item.filename if item is not None else item_id
    if kind == "item":
        attribute = rest.split(":", 1)[1]
        return tr(f"console.pii_item_{attribute}", name=name)
    return name


class PiiReview(QObject):
    """The Review step's personal-data panel; ``refresh`` looks again after every change."""

    finished = Signal()  # a scan or a masking is done (tests wait for it)

    def __init__(self, page, layout) -> None:
        super().__init__(page)
        self.page = page
        self.findings: list[pii.Finding] = []
        self.highlighter = PiiHighlighter(page.preview.document())
        self.box = QGroupBox(tr("console.pii_title"))
        box_layout = QVBoxLayout(self.box)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(tr("console.pii_title"))
        box_layout.addWidget(self.summary)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([tr("console.pii_col_kind"), tr("console.pii_col_where"),
                                              tr("console.pii_col_context")])
        self.table.setAccessibleName(tr("console.pii_list"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        fit_columns(self.table, 2)
        self.table.setMaximumHeight(160)
        box_layout.addWidget(self.table)
        row = QHBoxLayout()
        self.mask_selected_button = QPushButton(tr("console.pii_mask_selected"))
        self.mask_selected_button.setAccessibleName(tr("console.pii_mask_selected").replace("&", ""))
        self.mask_selected_button.clicked.connect(self.mask_selected)
        self.mask_all_button = QPushButton(tr("console.pii_mask_all"))
        self.mask_all_button.setAccessibleName(tr("console.pii_mask_all").replace("&", ""))
        self.mask_all_button.setToolTip(tr("console.pii_mask_hint"))
        self.mask_all_button.clicked.connect(self.mask_all)
        row.addWidget(self.mask_selected_button)
        row.addWidget(self.mask_all_button)
        row.addStretch(1)
        box_layout.addLayout(row)
        self.own_box = QGroupBox(tr("console.pii_own_title"))
        own_layout = QVBoxLayout(self.own_box)
        self.own_label = QLabel()
        self.own_label.setWordWrap(True)
        self.own_label.setTextFormat(Qt.TextFormat.PlainText)
        self.own_label.setStyleSheet(f"QLabel {{ background: {OWN_COLOUR}; padding: 4px; }}")
        self.own_label.setAccessibleName(tr("console.pii_own_title"))
        own_layout.addWidget(self.own_label)
        box_layout.addWidget(self.own_box)
        # Screenshots whose text showed personal data the agent has not decided on yet.
        self.screens = QLabel()
        self.screens.setWordWrap(True)
        self.screens.setTextFormat(Qt.TextFormat.PlainText)
        self.screens.setAccessibleName(tr("screen_check.review_title"))
        box_layout.addWidget(self.screens)
        self.open_screen_button = QPushButton(tr("screen_check.review_open"))
        self.open_screen_button.setAccessibleName(tr("screen_check.review_open").replace("&", ""))
        self.open_screen_button.setToolTip(tr("screen_check.review_open_tip"))
        self.open_screen_button.clicked.connect(self.open_screenshot)
        box_layout.addWidget(self.open_screen_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.box)
        self._generation = 0
        self._show([])

    # -- looking

    def refresh(self) -> None:
        from capture_app.core.report.model import Report

        report = self.page.report
        if report is None:
            return
        snapshot = Report.from_dict(report.to_dict())
        locate = self.page.locate
        self._generation += 1
        generation = self._generation
        self.summary.setText(tr("console.pii_scanning"))

        # Both only show what was found: for a wizard closed meanwhile there is nothing to do.
        def done(findings) -> None:
            if generation == self._generation and shiboken6.isValid(self.summary):
                self._show(findings)
                self.finished.emit()

        def failed(exc: BaseException) -> None:
            if generation == self._generation and shiboken6.isValid(self.summary):
                self.summary.setText(tr("console.pii_failed", reason=type(exc).__name__))
                self.finished.emit()

        self.page.env.run(lambda: pii.find_in_report(snapshot, lambda item: read_text(locate(item))),
                          on_success=done, on_error=failed, parent=self.page)
        self.check_screenshots()

    def check_screenshots(self) -> None:
        """List the screenshots with undecided places; read those not checked yet (background)."""
        from capture_app.ui.evidence.screenshot_check import check_item

        report = self.page.report
        for item in screenshot_pii.unchecked(report):
            check_item(self.page.env, report, item, self._screenshot_checked)
        lines = screenshot_lines(report)
        self.screens.setText("\n".join(lines))
        self.screens.setVisible(bool(lines))
        self.open_screen_button.setVisible(bool(screenshot_pii.to_review(report)))

    def open_screenshot(self) -> None:
        """The first screenshot with places left to decide, in the editor with its proposals."""
        from capture_app.ui.capture.editing import edit_item

        waiting = screenshot_pii.to_review(self.page.report)
        if waiting:
            edit_item(self.page.window(), waiting[0], parent=self.page,
                      on_saved=lambda _item: self._screenshot_checked())

    def _screenshot_checked(self) -> None:
        if shiboken6.isValid(self.screens):
            self.page.changed.emit()
            self.check_screenshots()
            self.finished.emit()

    def _show(self, findings: list[pii.Finding]) -> None:
        report = self.page.report
        reporter = report.reporter if report is not None else None
        own = pii.own_contact(reporter)
        findings = pii.customer_findings(findings, reporter)  # the agent's own data is no finding
        self.findings = findings
        self.highlighter.own = own
        self.highlighter.marked.clear()
        self.highlighter.own_marked.clear()
        self.own_label.setText("\n".join(f"{tr(f'console.pii_kind_{m.kind}')}: {m.text}" for m in own))
        self.own_box.setVisible(bool(own))
        self.own_label.setAccessibleDescription(self.own_label.text())
        self.table.setRowCount(len(findings))
        for row, finding in enumerate(findings):
            where = source_label(report, finding.source) if report is not None else finding.source
            if finding.source.startswith("evidence:"):
                where = tr("console.pii_in_file", name=where, line=finding.line)
            cells = (tr(f"console.pii_kind_{finding.kind}"), where, finding.context)
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(FINDING_ROLE, row)
                self.table.setItem(row, column, cell)
        self.table.resizeColumnToContents(0)
        counts = {kind: sum(1 for f in findings if f.kind == kind) for kind in pii.KINDS}
        if findings:
            self.summary.setText(tr("console.pii_found", n=len(findings), emails=counts[pii.EMAIL],
                                    phones=counts[pii.PHONE], ibans=counts[pii.IBAN]))
        elif own:
            self.summary.setText(tr("console.pii_none_but_own"))
        else:
            self.summary.setText(tr("console.pii_none"))
        self.table.setVisible(bool(findings))
        self.mask_all_button.setEnabled(bool(findings))
        self.mask_selected_button.setEnabled(bool(findings))
        self.highlighter.rehighlight()

    # -- masking

    def mask_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()})
        self.mask([self.findings[row] for row in rows if row < len(self.findings)])

    def mask_all(self) -> None:
        self.mask(list(self.findings))

    def mask(self, findings: list[pii.Finding]) -> None:
        if not findings:
            return
        report = self.page.report
        in_fields = [f for f in findings if not f.source.startswith("evidence:")]
        in_files: dict[str, list[pii.PiiMatch]] = {}
        for finding in findings:
            if finding.source.startswith("evidence:"):
                in_files.setdefault(finding.source.split(":", 1)[1], []).append(finding.match)
        if in_fields:
            pii.mask_report(report, in_fields)
        if not in_files:
            self._changed()
            return
        items = {item_id: report.evidence_item(item_id) for item_id in in_files}
        work_items = [(item, self.page.locate(item), in_files[item_id])
                      for item_id, item in items.items() if item is not None]
        store_fn, report_id = self.page.env.store.store_attachment, report.id

        def work():
            return [(item.id, mask_file(report_id, item, path, matches, store_fn))
                    for item, path, matches in work_items]

        def done(replacements) -> None:
            for old_id, new_item in replacements:
                for index, item in enumerate(report.evidence):
                    if item.id == old_id:
                        report.evidence[index] = new_item
            self._changed()

        def failed(exc: BaseException) -> None:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(self.page, tr("console.pii_title"),
                                tr("console.pii_mask_failed", reason=getattr(exc, "strerror", "") or
                                   type(exc).__name__))
            self._changed()

        self.page.env.run(work, on_success=done, on_error=failed, parent=self.page,
                          progress_label=tr("console.pii_masking"))

    def _changed(self) -> None:
        self.page.changed.emit()
        self.page.refresh()


def mask_file(report_id: str, item, path, matches: list[pii.PiiMatch], store_fn):
    """A masked copy of an evidence file under a new item id (worker thread)."""
    from capture_app.core.report.model import new_id

    text = path.read_bytes().decode("utf-8")
    masked = pii.mask(text, matches)
    item_id = new_id()
    size, sha256 = store_fn(report_id, item_id, masked.encode("utf-8"))
    return dataclasses.replace(item, id=item_id, size=size, sha256=sha256)


# --- screenshots ---------------------------------------------------------------------------------


def screenshot_lines(report) -> list[str]:
    """One line per screenshot to be sent whose check is pending, skipped or left places open."""
    lines = []
    for item in report.included_evidence():
        if not screenshot_pii.is_screenshot(item):
            continue
        name = item.title or item.filename
        if not item.pii_check:
            lines.append(tr("screen_check.review_unchecked", name=name))
        elif item.pii_check == screenshot_pii.SKIPPED:
            lines.append(tr("screen_check.review_skipped", name=name))
        elif item.pii_open:
            lines.append(tr("screen_check.review_row", name=name, n=item.pii_open))
    if screenshot_pii.to_review(report):
        lines.append(tr("screen_check.review_hint"))
    return lines


def confirm_screenshots(parent, report) -> bool:
    """Before sending or exporting: ask whether to go on while screenshots have places the
    agent has neither redacted nor dismissed (True: go on). A screenshot still being read does
    not stop sending: Prüfen shows it, and the agent who clicks *Senden* at once is not held up."""
    from PySide6.QtWidgets import QMessageBox

    waiting = screenshot_pii.to_review(report)
    if not waiting:
        return True
    names = "\n".join("• " + tr("screen_check.ask_places", name=item.title or item.filename,
                                   n=item.pii_open) for item in waiting)
    answer = QMessageBox.question(parent, tr("screen_check.ask_title"),
                                  tr("screen_check.ask_send", names=names))
    return answer == QMessageBox.StandardButton.Yes
