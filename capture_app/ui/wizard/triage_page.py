"""Step 1: what is the request about? Search as the agent types, or browse the cases by outcome.

Choosing a case shows what happens next: a self-help article with a text for the end user
(copy or e-mail), the project lead with a prepared message, a clear stop for requests that are
not Flexperto's, or the way on to the report for 2nd-level support. Every search, choice and
answer is recorded in the report's triage path (``core.triage_path``).
"""
from __future__ import annotations

import unicodedata
from typing import Any

from PySide6.QtCore import QRect, QSize, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyledItemDelegate,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from capture_app.core.platform.i18n import current_language, tr
from capture_app.core.triage import path as triage_path
from capture_app.core.triage.catalogue import (
    CATEGORY_ORDER,
    FALLBACK_CASE,
    ORGANISATION,
    effective_catalogue,
    organisation_file,
)
from capture_app.core.wizard.steps import (
    Outcome,
    Step,
    carry_over_summary,
    choose_case,
    clear_case,
    escalate,
    is_escalated_exception,
    selected_case,
)
from capture_app.ui.platform import theme
from capture_app.ui.platform.roles import (
    ACCESSIBLE_TEXT_ROLE,
    SCROLL_BAR_ALWAYS_OFF,
    TEXT_WORD_WRAP,
    USER_ROLE,
    full_width_text,
    plain_text,
)
from capture_app.ui.wizard.base import StepPage


def search(*args, **kwargs):
    # The search engine (rapidfuzz, the index) loads on first use: the page warms it up in the
    # background right after it is shown, so opening the wizard does not wait for it.
    from capture_app.core.triage.search import search as run_search

    return run_search(*args, **kwargs)


def end_user_message(*args, **kwargs):
    from capture_app.core.triage.messages import end_user_message as make

    return make(*args, **kwargs)


def project_lead_message(*args, **kwargs):
    from capture_app.core.triage.messages import project_lead_message as make

    return make(*args, **kwargs)


# Nothing here touches the Qt namespace before the page is on screen (see ui/platform/roles.py).
CASE_ROLE = USER_ROLE + 1
RANK_ROLE = USER_ROLE + 2
SHOWN_RESULTS = 6
# A search is recorded in the triage path once the agent pauses, not at every keystroke.
RECORD_SEARCH_AFTER_MS = 1200
WARM_UP_AFTER_MS = 300


def _open_mail(url: str) -> bool:
    """Hand a mailto: URL to the desktop's mail program; False if there is none."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    return QDesktopServices.openUrl(QUrl(url, QUrl.ParsingMode.StrictMode))


def _visible(text: str) -> str:
    """The text without what cannot be seen (spaces, zero-width and control characters)."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "CZ")


class _WrappingRows(QStyledItemDelegate):
    """Rows as tall as their wrapped text: Qt's own measure ignores the width the row gets."""

    def sizeHint(self, option, index) -> QSize:
        size = super().sizeHint(option, index)
        view: Any = self.parent()  # the case tree (its indentation and text width)
        level, parent = 0, index.parent()
        while parent.isValid():
            level, parent = level + 1, parent.parent()
        indent = view.indentation() * (level + (1 if view.rootIsDecorated() else 0))
        width = max(view.text_width - indent - 8, 80)
        text = index.data() or ""  # the display role
        bounds = option.fontMetrics.boundingRect(QRect(0, 0, width, 10_000), TEXT_WORD_WRAP, text)
        height = bounds.height()
        return QSize(size.width(), max(size.height(), height + 6))


class _CaseList(QTreeWidget):
    """Case titles wrap; rows are measured again whenever the list's width changes."""

    def __init__(self):
        super().__init__()
        self.text_width = 300  # the viewport's width, kept here: asking Qt for it per row is slow
        # Our own viewport widget, so its width is read from a known Python object: asking
        # viewport() for Qt's makes PySide search every widget class for its type (~15 ms).
        self._viewport = QWidget()
        self.setViewport(self._viewport)
        self.setItemDelegate(_WrappingRows(self))

    def updateGeometries(self) -> None:
        # Qt calls this whenever the view's size or contents change. (A resizeEvent override
        # would make PySide build its 170-member QEvent.Type enum before the first frame.)
        super().updateGeometries()
        width = self._viewport.width()
        if width != self.text_width:
            self.text_width = width
            self.scheduleDelayedItemsLayout()


def _one_above_the_other(*buttons: QPushButton) -> QVBoxLayout:
    """Buttons with long texts under each other, at their own width: side by side they would
    make the article panel wider than a 1280x720 screen leaves it."""
    column = QVBoxLayout()
    for button in buttons:
        row = QHBoxLayout()
        row.addWidget(button)
        row.addStretch(1)
        column.addLayout(row)
    return column


class _UpAndDown(QScrollArea):
    """Scrolls up and down only: never narrower than its content, so nothing is cut off at the
    side (a scroll area's own minimum ignores the content's width)."""

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        inner = self.widget()
        if inner is None:
            return hint
        width = inner.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width()
        return QSize(max(hint.width(), width), hint.height())


class _SearchBox(QLineEdit):
    """Arrow down leaves the search box for the results; Enter takes the best match."""

    def __init__(self, page: TriagePage):
        super().__init__()
        self.page = page

    def keyPressEvent(self, event) -> None:
        from PySide6.QtCore import Qt  # built by now (see TriagePage._after_first_show)

        if event.key() == Qt.Key.Key_Down:
            self.page.focus_results(choose_first=False)
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # With words typed, Enter takes the best match; on the full list it only moves there.
            typed = bool(_visible(self.text()))
            self.page.focus_results(choose_first=typed, choose_any=typed)
        else:
            super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:
        # A sentence longer than the box: once the agent moves on, its start is what shows.
        super().focusOutEvent(event)
        self.home(False)


class TriagePage(StepPage):
    step = Step.TRIAGE
    scrolls = False  # the list and the article scroll on their own; the answers stay in view
    resolved = Signal()  # the agent solved or routed it without Flexperto: the draft can go

    def build(self, body: QWidget) -> None:
        layout = QVBoxLayout(body)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        plain_text(self.notice)
        self.notice.hide()
        layout.addWidget(self.notice)
        self._show_catalogue_problems()

        # The search spans the page: an agent's sentence in a box as narrow as the list would
        # be scrolled to its end while typing, its start cut off at the left edge.
        layout.addLayout(self._build_search())
        # Master and detail side by side: the cases on the left stay in view while the chosen
        # case's article is read on the right.
        self.splitter = QSplitter()  # side by side
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self._build_cases())
        self.splitter.addWidget(self._build_outcome())
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        layout.addWidget(self.splitter, 1)

        self._record_timer = QTimer(self)
        self._record_timer.setSingleShot(True)
        self._record_timer.setInterval(RECORD_SEARCH_AFTER_MS)
        self._record_timer.timeout.connect(self._record_search)
        self._results: list[str] = []
        self._shown = False
        self._fill_all_cases()
        # Build the search index while the agent reads the page, not at the first keystroke (and
        # not before the window is on screen).
        QTimer.singleShot(WARM_UP_AFTER_MS, self._warm_up)

    def _build_search(self) -> QVBoxLayout:
        column = QVBoxLayout()
        search_label = QLabel(tr("triage.page.search"))
        self.search = _SearchBox(self)
        self.search.setPlaceholderText(tr("triage.page.search_placeholder"))
        self.search.setAccessibleName(tr("triage.page.search_name"))
        self.search.setAccessibleDescription(tr("triage.page.search_hint"))
        self.search.setToolTip(tr("triage.page.search_hint"))
        self.search.setMaxLength(10_000)
        search_label.setBuddy(self.search)
        self.search.textChanged.connect(self._query_changed)
        column.addWidget(search_label)
        column.addWidget(self.search)
        return column

    def _build_cases(self) -> QWidget:
        """The left side: what the search found and the list of cases."""
        left = QWidget()
        layout_left = QVBoxLayout(left)
        layout_left.setContentsMargins(0, 0, 0, 0)
        self.result_hint = QLabel(tr("triage.page.all_cases"))
        self.result_hint.setWordWrap(True)
        plain_text(self.result_hint)  # it repeats what the agent typed
        layout_left.addWidget(self.result_hint)

        self.tree = _CaseList()
        self.tree.setHeaderHidden(True)
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        full_width_text(self.tree)
        self.tree.setAccessibleName(tr("ui.triage.cases"))
        self.tree.setAccessibleDescription(tr("ui.triage.cases_hint"))
        self.tree.setMinimumHeight(150)
        self.tree.currentItemChanged.connect(self._case_chosen)
        layout_left.addWidget(self.tree, 1)
        self.nothing_fits_button = QPushButton(tr("triage.page.nothing_fits"))
        self.nothing_fits_button.setAccessibleName(tr("triage.page.nothing_fits").replace("&", ""))
        self.nothing_fits_button.setToolTip(tr("triage.page.nothing_fits_hint"))
        self.nothing_fits_button.clicked.connect(self._nothing_fits)
        layout_left.addWidget(self.nothing_fits_button)
        return left

    def _build_outcome(self) -> QGroupBox:
        """The right side: the chosen case's answers, its article and the texts to pass on."""
        # The right side is always there, so the list does not change width when a case is chosen.
        # What to do (the answers) stays at the top, in view; the article and the texts below it
        # scroll on their own, up and down only.
        self.outcome_box = QGroupBox(tr("ui.triage.outcome"))
        outer = QVBoxLayout(self.outcome_box)
        self.placeholder = QLabel(tr("triage.page.placeholder"))
        self.placeholder.setWordWrap(True)
        outer.addWidget(self.placeholder)
        self.details = QWidget()
        outer.addWidget(self.details, 1)
        box = QVBoxLayout(self.details)
        box.setContentsMargins(0, 0, 0, 0)
        self.outcome_title = QLabel()
        self.outcome_title.setWordWrap(True)
        plain_text(self.outcome_title)
        bold = self.outcome_title.font()
        bold.setBold(True)
        self.outcome_title.setFont(bold)
        self.guidance = QLabel()
        self.guidance.setWordWrap(True)
        plain_text(self.guidance, selectable=True)  # organisations write these texts
        box.addWidget(self.outcome_title)
        box.addWidget(self.guidance)
        box.addLayout(self._build_buttons())
        self.reason_label = QLabel(tr("ui.triage.reason"))
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName(tr("ui.triage.reason"))
        self.reason.setTabChangesFocus(True)
        self.reason.setMaximumHeight(90)
        self.reason_label.setBuddy(self.reason)
        self.binder.bind(self.reason, "triage.escalation_reason")
        box.addWidget(self.reason_label)
        box.addWidget(self.reason)
        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        box.addWidget(self.feedback)
        self.more = _UpAndDown()
        self.more.setWidgetResizable(True)
        self.more.setFrameShape(QScrollArea.Shape.NoFrame)
        self.more.setProperty("horizontalScrollBarPolicy", SCROLL_BAR_ALWAYS_OFF)
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.setContentsMargins(0, 0, 0, 0)
        inner_layout.addWidget(self._build_article(), 1)
        inner_layout.addWidget(self._build_lead())
        self.more.setWidget(inner)
        box.addWidget(self.more, 1)
        return self.outcome_box

    def _warm_up(self) -> None:
        self._shown = True
        # The clear button's icon is loaded the first time one is asked for (several ms of the
        # first wizard's first frame); it shows only once there is text to clear anyway.
        self.search.setClearButtonEnabled(True)
        self._plain_headers()
        catalogue = self.env.context.catalogue
        self.env.run(lambda: search(catalogue, "warm") and None, on_success=lambda _result: None,
                     on_error=lambda _exc: None)

    def _build_article(self) -> QWidget:
        self.article_box = QGroupBox()
        layout = QVBoxLayout(self.article_box)
        self.article_view = QPlainTextEdit()
        self.article_view.setReadOnly(True)
        self.article_view.setTabChangesFocus(True)
        self.article_view.setAccessibleName(tr("triage.page.article_view"))
        self.article_view.setMinimumHeight(90)
        self.article_source = QLabel()
        plain_text(self.article_source)
        self.article_source.setWordWrap(True)
        self.article_source.setForegroundRole(QPalette.ColorRole.Mid)  # quieter than the article
        layout.addWidget(self.article_view, 1)
        layout.addWidget(self.article_source)
        self.user_text_label = QLabel(tr("triage.page.user_text"))
        self.user_text = QPlainTextEdit()
        self.user_text.setReadOnly(True)
        self.user_text.setAccessibleName(tr("triage.page.user_text"))
        self.user_text.setAccessibleDescription(tr("triage.page.user_text_hint"))
        self.user_text.setToolTip(tr("triage.page.user_text_hint"))
        self.user_text.setTabChangesFocus(True)
        self.user_text.setMinimumHeight(60)
        self.user_text.setMaximumHeight(160)
        self.user_text_label.setBuddy(self.user_text)
        layout.addWidget(self.user_text_label)
        layout.addWidget(self.user_text)
        self.copy_button = self._button("triage.page.copy_user_text", self._copy_user_text)
        self.mail_button = self._button("triage.page.mail_user_text", self._mail_user_text)
        layout.addLayout(_one_above_the_other(self.copy_button, self.mail_button))
        return self.article_box

    def _build_lead(self) -> QWidget:
        self.lead_box = QGroupBox(tr("triage.page.lead_box"))
        layout = QVBoxLayout(self.lead_box)
        self.lead_contact = QLabel()
        self.lead_contact.setWordWrap(True)
        plain_text(self.lead_contact, selectable=True)
        layout.addWidget(self.lead_contact)
        label = QLabel(tr("triage.page.lead_question"))
        self.lead_question = QPlainTextEdit()
        self.lead_question.setAccessibleName(tr("triage.page.lead_question"))
        self.lead_question.setAccessibleDescription(tr("triage.page.lead_question_hint"))
        self.lead_question.setToolTip(tr("triage.page.lead_question_hint"))
        self.lead_question.setTabChangesFocus(True)
        self.lead_question.setMaximumHeight(90)
        label.setBuddy(self.lead_question)
        layout.addWidget(label)
        layout.addWidget(self.lead_question)
        self.lead_mail_button = self._button("triage.page.lead_mail", self._mail_lead)
        self.lead_copy_button = self._button("triage.page.lead_copy", self._copy_lead)
        layout.addLayout(_one_above_the_other(self.lead_mail_button, self.lead_copy_button))
        return self.lead_box

    def _build_buttons(self) -> QHBoxLayout:
        buttons = QHBoxLayout()
        self.solved_button = self._button("ui.triage.solved", self._solved)
        self.done_button = self._button("triage.page.done_not_flexperto", self._done)
        self.escalate_button = self._button("ui.triage.escalate", self._escalate)
        self.undo_button = self._button("ui.triage.undo_escalation", self._undo_escalation)
        for button in (self.solved_button, self.done_button, self.escalate_button, self.undo_button):
            button.hide()  # refresh() shows the ones of the chosen case
            buttons.addWidget(button)
        buttons.addStretch(1)
        return buttons

    def _button(self, key: str, slot) -> QPushButton:
        button = QPushButton(tr(key))
        button.setAccessibleName(tr(key).replace("&", ""))
        button.clicked.connect(slot)
        return button

    def _show_catalogue_problems(self) -> None:
        config_paths = getattr(self.env.config, "paths", None)
        if config_paths is None:
            return
        load = effective_catalogue(organisation_file(config_paths.system_config_file))
        if load.problems and load.catalogue is self.env.context.catalogue:
            lines = [tr("triage.page.catalogue_problems")] + [f"• {m}" for m in load.messages()]
            # Coloured only when there is something to say: the first style sheet of a process
            # costs a few milliseconds of the wizard's first frame.
            self.notice.setStyleSheet(theme.text_colour_style("warning"))
            self.notice.setText("\n".join(lines))
            self.notice.setAccessibleName(" ".join(lines))
            self.notice.show()

    # -- the list of cases

    def _outcome_label(self, outcome: str) -> str:
        return tr(f"ui.category.{outcome}")

    def _fill_all_cases(self) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()
        self._headers: list[QTreeWidgetItem] = []
        self.tree.setRootIsDecorated(True)
        language = current_language()
        for category in CATEGORY_ORDER:
            cases = self.env.context.catalogue.by_category(category)
            if not cases:  # the organisation hid all of them
                continue
            top = QTreeWidgetItem([self._outcome_label(category)])
            self._headers.append(top)
            self.tree.addTopLevelItem(top)
            for case in cases:
                child = QTreeWidgetItem([case.title_in(language)])
                child.setData(0, CASE_ROLE, case.id)
                child.setData(0, RANK_ROLE, 0)
                top.addChild(child)
        self.tree.expandAll()
        if self._shown:
            self._plain_headers()
        self._results = []
        self.result_hint.setText(tr("triage.page.all_cases"))
        self.tree.blockSignals(False)
        self._select_current()

    def _plain_headers(self) -> None:
        """Outcome headings can be expanded but not chosen. Setting item flags needs the Qt
        namespace, so this waits until the window is on screen (see ui/platform/roles.py)."""
        from PySide6.QtCore import Qt

        for header in self._headers:
            header.setFlags(Qt.ItemFlag.ItemIsEnabled)

    def _fill_results(self, query: str) -> None:
        matches = search(self.env.context.catalogue, query, limit=SHOWN_RESULTS)
        self.tree.blockSignals(True)
        self.tree.clear()
        self._headers = []
        self.tree.setRootIsDecorated(False)
        language = current_language()
        for rank, match in enumerate(matches, start=1):
            case = match.case
            title, outcome = case.title_in(language), self._outcome_label(case.outcome)
            item = QTreeWidgetItem([f"{title}\n→ {outcome}"])
            item.setData(0, CASE_ROLE, case.id)
            item.setData(0, RANK_ROLE, rank)
            item.setData(0, ACCESSIBLE_TEXT_ROLE, f"{title}, {outcome}")
            item.setToolTip(0, outcome)
            self.tree.addTopLevelItem(item)
        self._results = [match.case.id for match in matches]
        if not matches:
            shown = query if len(query) <= 60 else query[:59] + "…"
            self.result_hint.setText(tr("triage.page.no_match", query=shown))
        elif len(matches) == 1:
            self.result_hint.setText(tr("triage.page.count_one"))
        else:
            self.result_hint.setText(tr("triage.page.count_many", count=len(matches)))
        self.tree.blockSignals(False)
        if self.report is not None and self.report.triage.case_id and \
                self.report.triage.case_id not in self._results:
            # Searched for something else: the case shown so far is no longer the answer.
            clear_case(self.report)
            self.binder.load(self.report)
            self.refresh()
            self.changed.emit()
            self.structure_changed.emit()
        self._select_current()

    def _query_changed(self, text: str) -> None:
        if _visible(text):
            self._fill_results(text)
            self._record_timer.start()
        else:
            self._record_timer.stop()
            self._fill_all_cases()

    def _record_search(self) -> None:
        self._record_timer.stop()
        if self.report is None or not _visible(self.search.text()):
            return
        if triage_path.record_search(self.report, self.search.text(), self._results):
            self.changed.emit()

    def focus_results(self, *, choose_first: bool, choose_any: bool = True) -> None:
        """Move into the list; take its first case if asked, or if none is highlighted yet."""
        first = self._first_case_item()
        if first is None:
            return
        self.tree.setFocus()
        if choose_first or (choose_any and self.tree.currentItem() is None):
            self.tree.setCurrentItem(first)

    def _first_case_item(self) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            if top is None:
                continue
            if top.data(0, CASE_ROLE):
                return top
            for j in range(top.childCount()):
                child = top.child(j)
                if child is not None and child.data(0, CASE_ROLE):
                    return child
        return None

    def _items(self):
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            yield top
            for j in range(top.childCount()):
                yield top.child(j)

    def load(self, report) -> None:
        super().load(report)
        self._select_current()

    def _select_current(self) -> None:
        if self.report is None:
            return
        case_id = self.report.triage.case_id
        chosen = next((item for item in self._items()
                       if case_id and item.data(0, CASE_ROLE) == case_id), None)
        self.tree.blockSignals(True)
        if chosen is not None:
            self.tree.setCurrentItem(chosen)
        else:  # the chosen case is not in this list ("Nichts passt"): nothing stays highlighted
            self.tree.setCurrentItem(None)  # type: ignore[call-overload]  # Qt takes None: no item
            self.tree.clearSelection()
        self.tree.blockSignals(False)

    def first_control(self):
        return self.search  # the agent starts by typing the problem

    def field_widget(self, field: str):
        return self.tree if field.startswith("triage.case") else super().field_widget(field)

    # -- choosing

    def _case_chosen(self, item: QTreeWidgetItem | None, _previous) -> None:
        case_id = item.data(0, CASE_ROLE) if item else None
        if not case_id or self.report is None or case_id == self.report.triage.case_id:
            return
        via = "search" if _visible(self.search.text()) else "list"
        assert item is not None  # it had a case id
        self._choose(case_id, via=via, rank=int(item.data(0, RANK_ROLE) or 0))

    def _nothing_fits(self) -> None:
        self._record_search()
        triage_path.record_nothing_fits(self.loaded, self.search.text())
        self._choose(FALLBACK_CASE, via="search" if _visible(self.search.text()) else "list", rank=0,
                     record_search=False)
        self._select_current()

    def _choose(self, case_id: str, *, via: str, rank: int, record_search: bool = True) -> None:
        if record_search:
            self._record_search()
        catalogue = self.env.context.catalogue
        case = catalogue.get(case_id)
        assert case is not None  # ids come from the catalogue shown
        choose_case(self.loaded, case, previous=selected_case(self.loaded, self.env.context))
        triage_path.record_case(self.loaded, case, language=self.loaded.language or current_language(),
                                via=via, rank=rank, article=catalogue.article_for(case))
        self.lead_question.setPlainText(triage_path.last_query(self.loaded))
        self.feedback.clear()
        self.binder.load(self.report)
        self.refresh()
        self.changed.emit()
        self.structure_changed.emit()

    # -- answers

    def _solved(self) -> None:
        triage_path.record_answer(self.loaded, "solved")
        self.resolved.emit()

    def _done(self) -> None:
        case = selected_case(self.loaded, self.env.context)
        answer = "forwarded_to_project_lead" if case and case.outcome == Outcome.PROJECT_LEAD.value \
            else "closed_not_flexperto"
        triage_path.record_answer(self.loaded, answer)
        self.resolved.emit()

    def resolve_question(self) -> str:
        """What the wizard asks before it deletes the draft of a case closed without Flexperto."""
        case = selected_case(self.loaded, self.env.context)
        outcome = case.outcome if case else Outcome.SELF_HELP.value
        return tr(f"triage.page.question_{outcome}")

    def _escalate(self) -> None:
        case = selected_case(self.loaded, self.env.context)
        escalate(self.loaded, self.reason.toPlainText())
        carry_over_summary(self.loaded, case, triage_path.last_query(self.loaded))
        self_help = case is not None and case.outcome == Outcome.SELF_HELP.value
        triage_path.record_answer(self.loaded, "not_helped" if self_help else "escalated")
        self.refresh()
        self.changed.emit()
        self.structure_changed.emit()
        self.reason.setFocus()

    def _undo_escalation(self) -> None:
        case = selected_case(self.loaded, self.env.context)
        assert case is not None  # an escalated case was chosen before
        choose_case(self.loaded, case, previous=case)
        triage_path.record_answer(self.loaded, "escalation_undone")
        self.binder.load(self.report)
        self.refresh()
        self.changed.emit()
        self.structure_changed.emit()

    # -- texts that leave triage

    def _user_message(self):
        case = selected_case(self.report, self.env.context)
        article = self.env.context.catalogue.article_for(case)
        if article is None:
            return None, None
        setting = self._setting
        message = end_user_message(
            article, current_language(), support_emails=[setting("support.email")],
            agent_name=setting("reporter.name"), organisation=setting("reporter.organisation"))
        return article, message

    def _setting(self, key: str) -> str:
        return self.env.config.get(key) or ""

    def _lead_message(self):
        setting = self._setting
        case = selected_case(self.report, self.env.context)
        return project_lead_message(
            case, current_language(), question=self.lead_question.toPlainText(),
            lead_name=setting("project_lead.name"), lead_email=setting("project_lead.email"),
            agent_name=setting("reporter.name"), organisation=setting("reporter.organisation"))

    def _copy_user_text(self) -> None:
        article, message = self._user_message()
        if message is None:
            return
        QGuiApplication.clipboard().setText(message.as_text())
        self._shared("user_text", "clipboard", article.id, tr("triage.page.copied"))

    def _mail_user_text(self) -> None:
        article, message = self._user_message()
        if message is None:
            return
        if _open_mail(message.mailto()):
            self._shared("user_text", "email", article.id, tr("triage.page.mail_opened"))
        else:
            QGuiApplication.clipboard().setText(message.as_text())
            self._shared("user_text", "clipboard", article.id, tr("triage.page.mail_failed"))

    def _copy_lead(self) -> None:
        message = self._lead_message()
        QGuiApplication.clipboard().setText(f"{message.subject}\n\n{message.body}")
        self._shared("lead_message", "clipboard", "", tr("triage.page.lead_copied"))

    def _mail_lead(self) -> None:
        message = self._lead_message()
        if message.to and _open_mail(message.mailto()):
            self._shared("lead_message", "email", "", tr("triage.page.lead_mail_opened"))
        else:
            QGuiApplication.clipboard().setText(f"{message.subject}\n\n{message.body}")
            self._shared("lead_message", "clipboard", "", tr("triage.page.lead_mail_failed"))

    def _shared(self, what: str, via: str, article_id: str, feedback: str) -> None:
        triage_path.record_shared(self.loaded, what, via, article_id)
        self.feedback.setText(feedback)
        self.feedback.setAccessibleName(feedback)
        self.changed.emit()

    # -- what the chosen case shows

    def refresh(self) -> None:
        case = selected_case(self.loaded, self.env.context)
        self.placeholder.setVisible(case is None)
        self.details.setVisible(case is not None)
        if case is None:
            return
        language = current_language()
        escalated = is_escalated_exception(self.loaded, self.env.context)
        title = tr("triage.page.escalated") if escalated else tr(f"ui.outcome.{case.outcome}")
        self.outcome_title.setText(title)
        self.outcome_title.setAccessibleName(title)
        guidance = case.guidance_in(language)
        self.guidance.setText(guidance)
        self.guidance.setAccessibleName(guidance)
        self._show_article(case, language)
        self._show_lead(case, escalated)
        self.more.updateGeometry()  # its width follows what it now shows
        outcome = case.outcome
        self.solved_button.setVisible(outcome == Outcome.SELF_HELP.value and not escalated)
        self.done_button.setVisible(outcome in (Outcome.NOT_FLEXPERTO.value, Outcome.PROJECT_LEAD.value)
                                    and not escalated)
        done_key = f"triage.page.done_{outcome}" if outcome in ("not_flexperto", "project_lead") else None
        if done_key:
            self.done_button.setText(tr(done_key))
            self.done_button.setAccessibleName(tr(done_key).replace("&", ""))
        self_help = outcome == Outcome.SELF_HELP.value
        escalate_key = "triage.page.not_helped" if self_help else "ui.triage.escalate"
        self.escalate_button.setText(tr(escalate_key))
        self.escalate_button.setAccessibleName(tr(escalate_key).replace("&", ""))
        self.escalate_button.setVisible(outcome != Outcome.ESCALATE.value and not escalated)
        self.undo_button.setVisible(escalated)
        reason_key = "triage.page.reason_not_helped" if self_help else "ui.triage.reason"
        self.reason_label.setText(tr(reason_key))
        self.reason.setAccessibleName(tr(reason_key))
        self.reason_label.setVisible(escalated)
        self.reason.setVisible(escalated)

    def _show_article(self, case, language: str) -> None:
        article = self.env.context.catalogue.article_for(case)
        self.article_box.setVisible(article is not None)
        if article is None:
            return
        self.article_box.setTitle(article.title_in(language))
        self.article_view.setPlainText(article.agent_in(language).strip())
        self.article_view.setAccessibleDescription(article.title_in(language))
        self.article_source.setText(tr("triage.page.source_organisation" if article.source == ORGANISATION
                                       else "triage.page.source_builtin"))
        _, message = self._user_message()
        has_user_text = message is not None
        for widget in (self.user_text_label, self.user_text, self.copy_button, self.mail_button):
            widget.setVisible(has_user_text)
        self.user_text.setPlainText(message.body if message else "")

    def _show_lead(self, case, escalated: bool) -> None:
        show = case.outcome == Outcome.PROJECT_LEAD.value and not escalated
        self.lead_box.setVisible(show)
        if not show:
            return
        config = self.env.config
        name, email, phone = (config.get(f"project_lead.{k}") or "" for k in ("name", "email", "phone"))
        if not (name or email or phone):
            locked = config.is_locked("project_lead.email")
            text = tr("triage.page.lead_missing_locked" if locked else "triage.page.lead_missing")
        else:
            text = tr("triage.page.lead_contact", contact=" · ".join(p for p in (name, email, phone) if p))
            if not email:
                text += "\n" + tr("triage.page.lead_no_email")
        self.lead_contact.setText(text)
        self.lead_contact.setAccessibleName(text)
        self.lead_mail_button.setEnabled(bool(email))
        if not self.lead_question.toPlainText():
            self.lead_question.setPlainText(triage_path.last_query(self.loaded))
