"""The triage step as an agent uses it: type the problem, pick a match, act on what it says."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from PySide6.QtCore import QEvent, QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QKeyEvent, QPalette
from PySide6.QtWidgets import QApplication, QToolButton

from capture_app.core.platform.i18n import tr
from capture_app.core.triage.catalogue import organisation_file
from capture_app.core.wizard.steps import Step, applicable_steps
from capture_app.ui.platform.theme import colours
from capture_app.ui.wizard.triage_page import CASE_ROLE, RECORD_SEARCH_AFTER_MS

pytestmark = pytest.mark.gui


class MailClient(QObject):
    """Receives mailto: URLs the way the desktop's mail program would."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString(QUrl.FullyEncoded))

    def last(self) -> tuple[str, dict[str, str]]:
        parts = urlsplit(self.urls[-1])
        return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}


@pytest.fixture
def mail_client():
    client = MailClient()
    QDesktopServices.setUrlHandler("mailto", client, "open")
    yield client
    QDesktopServices.unsetUrlHandler("mailto")


def type_text(widget, text: str) -> None:
    """Type like a keyboard does, umlauts and emoji included."""
    widget.setFocus()
    for char in text:
        for kind in (QEvent.KeyPress, QEvent.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key_unknown, Qt.NoModifier, char))


def shown_cases(page) -> list[str]:
    return [page.tree.topLevelItem(i).data(0, CASE_ROLE) for i in range(page.tree.topLevelItemCount())]


def open_triage(controller, qtbot):
    window = controller.new_report()
    qtbot.addWidget(window)
    return window, window.pages[Step.TRIAGE]


def pick(qtbot, page, words: str) -> None:
    page.search.clear()
    type_text(page.search, words)
    qtbot.keyClick(page.search, Qt.Key_Return)  # Enter takes the best match


def test_typing_shows_ranked_matches_with_their_outcome_and_enter_takes_the_best(controller, qtbot):
    window, page = open_triage(controller, qtbot)
    assert page.tree.topLevelItemCount() == 4  # all cases, grouped by outcome
    type_text(page.search, "Kunde bekommt keine Einladungsmail")
    assert shown_cases(page)[0] == "emails_not_delivered"
    assert "An den Flexperto-Support (2nd Level)" in page.tree.topLevelItem(0).text(0)
    assert page.result_hint.text() in (tr("triage.page.count_one"),
                                       tr("triage.page.count_many", count=len(shown_cases(page))))
    assert window.report.triage.case_id == ""  # typing alone chooses nothing
    qtbot.keyClick(page.search, Qt.Key_Return)
    assert window.report.triage.case_id == "emails_not_delivered"
    assert window.focusWidget() is page.tree
    assert not window.next_button.isHidden()
    assert [e["step"] for e in window.report.triage.path] == ["search", "case"]
    assert window.report.triage.path[0]["query"] == "Kunde bekommt keine Einladungsmail"
    assert window.report.triage.path[1]["rank"] == 1 and window.report.triage.path[1]["via"] == "search"
    # A new search is recorded once the agent pauses typing.
    page.search.clear()
    type_text(page.search, "Kalender")
    qtbot.waitUntil(lambda: window.report.triage.path[-1]["step"] == "search",
                    timeout=RECORD_SEARCH_AFTER_MS * 4)
    assert window.report.triage.path[-1]["query"] == "Kalender"
    page.search.clear()  # an empty box shows the whole catalogue again
    assert page.tree.topLevelItemCount() == 4


def test_self_help_article_is_copied_and_mailed_to_the_user_then_solved(
        controller, qtbot, no_dialogs, mail_client):
    controller.config.set_user("reporter.name", "Anna Agentin")
    window, page = open_triage(controller, qtbot)
    pick(qtbot, page, "Passwort vergessen")
    assert window.report.triage.category == "first_level"
    assert window.next_button.isHidden()  # nothing goes to Flexperto
    assert not page.article_box.isHidden() and "Passwort vergessen?" in page.article_view.toPlainText()
    user_text = page.user_text.toPlainText()
    assert user_text.startswith("Guten Tag,") and user_text.endswith("Anna Agentin")
    assert "@" not in user_text  # never the support address

    qtbot.mouseClick(page.copy_button, Qt.LeftButton)
    assert QApplication.clipboard().text() == user_text
    assert page.feedback.text() == tr("triage.page.copied")
    qtbot.mouseClick(page.mail_button, Qt.LeftButton)
    to, fields = mail_client.last()
    assert to == "" and fields["body"].replace("\r\n", "\n") == user_text
    assert fields["subject"] == "Ihr Passwort für die Online-Beratung"
    assert "flexperto.com" not in mail_client.urls[-1]
    shared = [(e["via"], e["article"]) for e in window.report.triage.path if e["step"] == "shared"]
    assert shared == [("clipboard", "password_forgotten"), ("email", "password_forgotten")]

    window.flush()
    assert [d.id for d in controller.store.list_drafts()] == [window.report.id]
    qtbot.mouseClick(page.solved_button, Qt.LeftButton)
    assert no_dialogs[-1] == ("question", tr("triage.page.question_first_level"))
    assert controller.store.list_drafts() == []


def test_without_a_mail_program_the_text_goes_to_the_clipboard(controller, qtbot):
    _window, page = open_triage(controller, qtbot)
    pick(qtbot, page, "Dokument steht auf ausstehend")
    QApplication.clipboard().clear()
    qtbot.mouseClick(page.mail_button, Qt.LeftButton)  # offscreen Qt has no mail program
    assert page.feedback.text() == tr("triage.page.mail_failed")
    assert QApplication.clipboard().text() == page.user_text.toPlainText()


def test_self_help_that_did_not_help_is_escalated_with_what_was_tried(controller, qtbot):
    window, page = open_triage(controller, qtbot)
    pick(qtbot, page, "Berater Link im selben Browser")
    assert window.report.triage.case_id == "advisor_link_same_browser"
    assert page.escalate_button.text() == tr("triage.page.not_helped")
    qtbot.mouseClick(page.escalate_button, Qt.LeftButton)
    assert page.reason_label.text() == tr("triage.page.reason_not_helped")
    assert not page.reason.isHidden() and not window.next_button.isHidden()
    assert page.solved_button.isHidden()
    window.go_next()
    assert window.current is Step.TRIAGE  # the reason is required
    page.reason.setPlainText("Auch im privaten Fenster von Edge landet er im Kundenkonto")
    window.go_next()
    assert window.current is Step.DETAILS
    assert window.report.triage.path[-1]["answer"] == "not_helped"


def test_project_lead_question_gets_a_prepared_mail_to_the_configured_lead(
        controller, qtbot, no_dialogs, mail_client):
    controller.config.set_user("project_lead.name", "Erika Beispiel")
    controller.config.set_user("project_lead.email", "projektleitung@musterbank.example")
    window, page = open_triage(controller, qtbot)
    pick(qtbot, page, "Darf ich dieses Dokument verwenden?")
    assert window.report.triage.category == "project_lead"
    assert not page.lead_box.isHidden()
    assert "Erika Beispiel · projektleitung@musterbank.example" in page.lead_contact.text()
    assert page.lead_question.toPlainText() == "Darf ich dieses Dokument verwenden?"
    page.lead_question.setPlainText("Darf die Beraterin das Merkblatt 2026 zeigen?")
    assert page.lead_mail_button.isEnabled()
    qtbot.mouseClick(page.lead_mail_button, Qt.LeftButton)
    to, fields = mail_client.last()
    assert to == "projektleitung@musterbank.example"
    assert fields["subject"] == "Frage an die Projektleitung: Welches Dokument darf verwendet werden?"
    assert fields["body"].startswith("Guten Tag Erika Beispiel,")
    assert "Darf die Beraterin das Merkblatt 2026 zeigen?" in fields["body"]
    assert page.feedback.text() == tr("triage.page.lead_mail_opened")

    window.flush()
    assert page.done_button.text() == tr("triage.page.done_project_lead")
    qtbot.mouseClick(page.done_button, Qt.LeftButton)
    assert no_dialogs[-1] == ("question", tr("triage.page.question_project_lead"))
    assert controller.store.list_drafts() == []


def test_without_a_project_lead_the_page_says_how_to_set_one(controller, qtbot, app_paths):
    window, page = open_triage(controller, qtbot)
    pick(qtbot, page, "Wie nutzt man die neue Funktion")
    assert window.report.triage.case_id == "new_features_usage"
    assert page.lead_contact.text() == tr("triage.page.lead_missing")
    assert "Datei → Einstellungen" in page.lead_contact.text()
    assert not page.lead_mail_button.isEnabled()
    qtbot.mouseClick(page.lead_copy_button, Qt.LeftButton)
    assert QApplication.clipboard().text().startswith("Frage an die Projektleitung: Nutzung neuer Funktionen")

    # Where the organisation manages the contact, the agent is sent to IT instead.
    from capture_app.core.platform.config import Config

    app_paths.system_config_file.parent.mkdir(parents=True, exist_ok=True)
    app_paths.system_config_file.write_text('locked = ["project_lead"]\n', encoding="utf-8")
    controller.config = Config.load(app_paths)
    window, page = open_triage(controller, qtbot)
    pick(qtbot, page, "Wie nutzt man die neue Funktion")
    assert page.lead_contact.text() == tr("triage.page.lead_missing_locked")


def test_not_flexperto_stops_and_closes_without_sending(controller, qtbot, no_dialogs):
    window, page = open_triage(controller, qtbot)
    pick(qtbot, page, "Drucker druckt nicht")
    assert window.report.triage.category == "not_flexperto"
    assert window.next_button.isHidden() and page.solved_button.isHidden()
    assert "IT" in page.user_text.toPlainText()
    window.flush()
    assert page.done_button.text() == tr("triage.page.done_not_flexperto")
    qtbot.mouseClick(page.done_button, Qt.LeftButton)
    assert no_dialogs[-1] == ("question", tr("triage.page.question_not_flexperto"))
    assert controller.store.list_drafts() == []


def test_nothing_fits_goes_on_to_the_report_for_second_level(controller, qtbot):
    window, page = open_triage(controller, qtbot)
    type_text(page.search, "Kaffeemaschine im Flur kaputt")
    assert shown_cases(page) == []
    assert "Kein Fall passt zu „Kaffeemaschine im Flur kaputt“" in page.result_hint.text()
    qtbot.mouseClick(page.nothing_fits_button, Qt.LeftButton)
    assert window.report.triage.case_id == "other_technical"
    assert [e["step"] for e in window.report.triage.path] == ["search", "nothing_fits", "case"]
    qtbot.mouseClick(window.next_button, Qt.LeftButton)
    assert window.current is Step.DETAILS


def test_a_second_level_case_asks_for_its_extra_facts(controller, qtbot):
    window, page = open_triage(controller, qtbot)
    pick(qtbot, page, "E-Mail-Adresse ändern")
    assert window.report.triage.case_id == "change_email_address"
    assert page.escalate_button.isHidden() and page.solved_button.isHidden()
    assert "bisherige und die neue Adresse" in page.guidance.text()
    qtbot.mouseClick(window.next_button, Qt.LeftButton)
    qtbot.mouseClick(window.next_button, Qt.LeftButton)  # empty details: stays and names the fields
    assert window.current is Step.DETAILS
    assert "Bisherige E-Mail-Adresse" in window.problems.text()
    assert "Neue E-Mail-Adresse" in window.problems.text()


@pytest.mark.parametrize("text", ["", "😀🙈🔥", "?!?!...;;;", "\u200b\u200b", "ä" * 12_000,
                                  "<b>fett</b><img src=x>"])
def test_bad_input_in_the_search_box_never_breaks_the_page(controller, qtbot, text):
    window, page = open_triage(controller, qtbot)
    page.search.setText(text)
    assert len(page.search.text()) <= 10_000
    if text.strip("\u200b"):
        assert shown_cases(page) == [] and "Kein Fall passt" in page.result_hint.text()
        assert page.result_hint.textFormat() == Qt.PlainText  # shown as typed, never as markup
    else:
        assert page.tree.topLevelItemCount() == 4
    qtbot.keyClick(page.search, Qt.Key_Return)  # nothing to take: nothing chosen
    assert window.report.triage.case_id == ""
    qtbot.mouseClick(page.nothing_fits_button, Qt.LeftButton)
    assert window.report.triage.case_id == "other_technical"
    assert all(len(e.get("query", "")) <= 300 for e in window.report.triage.path)


def test_a_broken_organisation_file_is_named_and_the_builtin_cases_are_offered(qapp, app_paths, qtbot):
    from capture_app.ui.app import Controller

    broken = organisation_file(app_paths.system_config_file)
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_text('[[case]]\nid = "vpn"\noutcome = "not_flexperto\n', encoding="utf-8")
    controller = Controller(qapp, app_paths)
    try:
        controller.show_main_window()
        assert str(broken) in controller.main_window.notices.text()
        assert "Zeile 3" in controller.main_window.notices.text()
        window = controller.new_report()
        page = window.pages[Step.TRIAGE]
        assert not page.notice.isHidden() and str(broken) in page.notice.text()
        assert colours().warning in page.notice.styleSheet()  # said in the warning colour
        type_text(page.search, "Passwort vergessen")
        assert shown_cases(page)[0] == "password_forgotten"  # the built-in catalogue still works
        window._discarding = True
        window.close()
    finally:
        controller.main_window.close()
        controller.shutdown()  # as the app ends: its timers stop, its store closes


def test_an_organisation_case_is_offered_with_its_own_article(qapp, app_paths, qtbot):
    from capture_app.ui.app import Controller

    org = organisation_file(app_paths.system_config_file)
    org.parent.mkdir(parents=True, exist_ok=True)
    org.write_text('''
[[case]]
id = "vpn_token"
outcome = "not_flexperto"
article = "vpn_token"
title_de = "VPN-Token abgelaufen"
keywords_de = ["SecurID", "Token abgelaufen"]

[[article]]
id = "vpn_token"
title_de = "VPN-Token erneuern"
agent_de = "Das Token erneuert die IT-Hotline 0800 123 456."
user_de = "Bitte rufen Sie die IT-Hotline unter 0800 123 456 an."
''', encoding="utf-8")
    controller = Controller(qapp, app_paths)
    try:
        window = controller.new_report()
        page = window.pages[Step.TRIAGE]
        assert page.notice.isHidden()
        type_text(page.search, "SecurID Token abgelaufen")
        qtbot.keyClick(page.search, Qt.Key_Return)
        assert window.report.triage.case_id == "vpn_token"
        assert "IT-Hotline 0800 123 456" in page.article_view.toPlainText()
        assert page.article_source.text() == tr("triage.page.source_organisation")
        assert page.user_text.toPlainText().startswith("Bitte rufen Sie die IT-Hotline")
        window._discarding = True
        window.close()
    finally:
        controller.shutdown()  # as the app ends: its timers stop, its store closes


@pytest.mark.parametrize("controller", ["en"], indirect=True)
def test_the_english_ui_searches_and_shows_english_articles(controller, qtbot):
    window, page = open_triage(controller, qtbot)
    pick(qtbot, page, "forgot my password")
    assert window.report.triage.case_id == "password_forgotten"
    assert "Forgot password?" in page.article_view.toPlainText()
    assert page.user_text.toPlainText().startswith("Hello,")
    assert page.solved_button.text() == "&Solved – delete draft"


def test_outcome_headings_open_and_close_but_cannot_be_chosen(controller, qtbot):
    _window, page = open_triage(controller, qtbot)
    heading = page.tree.topLevelItem(0)
    assert heading.data(0, CASE_ROLE) is None and heading.childCount() > 0
    qtbot.waitUntil(lambda: not heading.flags() & Qt.ItemIsSelectable, timeout=3000)
    qtbot.mouseClick(page.tree.viewport(), Qt.LeftButton,
                     pos=page.tree.visualItemRect(heading).center())
    assert not heading.isSelected() and page.report.triage.case_id == ""
    assert heading.flags() & Qt.ItemIsEnabled  # still expandable
    # After a search and back to the full list, the headings are plain again at once.
    type_text(page.search, "passwort")
    page.search.clear()
    assert not page.tree.topLevelItem(0).flags() & Qt.ItemIsSelectable


def test_the_search_box_gets_a_button_that_clears_what_was_typed(controller, qtbot):
    window, page = open_triage(controller, qtbot)
    window.show()
    # Added once the page is on screen (its icon would hold up the first frame).
    qtbot.waitUntil(page.search.isClearButtonEnabled, timeout=3000)
    type_text(page.search, "Kamera geht nicht")
    button = next(b for b in page.search.findChildren(QToolButton) if b.isVisible())
    qtbot.mouseClick(button, Qt.LeftButton)
    assert page.search.text() == ""
    assert page.tree.topLevelItemCount() == 4  # the full list again


def test_an_article_names_its_source_in_a_quieter_colour_than_the_article(controller, qtbot):
    window, page = open_triage(controller, qtbot)
    window.show()
    pick(qtbot, page, "Passwort vergessen")
    source = page.article_source
    assert source.text() and not source.isHidden()
    # What is drawn: the line's strongest ink is the palette's quiet Mid, not the text colour.
    image = source.grab().toImage()
    background = source.palette().color(source.backgroundRole()).rgb() & 0xFFFFFF
    ink = [image.pixel(x, y) & 0xFFFFFF for x in range(image.width())
           for y in range(image.height())]
    ink = [rgb for rgb in ink if rgb != background]
    assert ink, "the source line draws nothing"

    def distance(a: int, b: int) -> int:
        return sum(abs((a >> shift & 0xFF) - (b >> shift & 0xFF)) for shift in (0, 8, 16))

    strongest = max(ink, key=lambda rgb: distance(rgb, background))
    mid = source.palette().color(QPalette.Mid).rgb() & 0xFFFFFF
    text = page.article_view.palette().color(QPalette.Text).rgb() & 0xFFFFFF
    assert distance(strongest, mid) < distance(strongest, text)


def test_case_titles_wrap_to_the_list_width_when_the_window_narrows(controller, qtbot):
    window, page = open_triage(controller, qtbot)
    window.resize(1400, 800)
    window.show()
    qtbot.waitExposed(window)
    items = [page.tree.topLevelItem(0).child(i) for i in range(page.tree.topLevelItem(0).childCount())]
    longest = max(items, key=lambda item: len(item.text(0)))
    qtbot.waitUntil(lambda: page.tree.text_width == page.tree.viewport().width(), timeout=3000)
    wide = page.tree.visualItemRect(longest).height()
    page.splitter.setSizes([120, 1200])  # the list gets narrow
    qtbot.waitUntil(lambda: page.tree.text_width == page.tree.viewport().width(), timeout=3000)
    qtbot.waitUntil(lambda: page.tree.visualItemRect(longest).height() > wide, timeout=3000)
    assert page.tree.horizontalScrollBar().maximum() == 0  # wrapped, never scrolled sideways


def global_rect(widget):
    from PySide6.QtCore import QRect

    return QRect(widget.mapToGlobal(widget.rect().topLeft()), widget.size())


@pytest.mark.parametrize("case_words", ["Passwort vergessen", "Kamera funktioniert nicht",
                                        "Dokumentenstatus ausstehend"])
def test_a_self_help_article_fits_a_small_window_with_its_answers_in_view(
        controller, qtbot, case_words):
    from PySide6.QtWidgets import QAbstractScrollArea

    window, page = open_triage(controller, qtbot)
    window.resize(1180, 600)  # a 1280x720 screen, less title bar and taskbar
    window.show()
    qtbot.waitExposed(window)
    pick(qtbot, page, case_words)
    assert window.report.triage.category == "first_level"
    QApplication.processEvents()
    for button in (page.solved_button, page.escalate_button):  # no scrolling needed
        assert button.isVisible() and button.visibleRegion().boundingRect() == button.rect(), \
            button.text()
    sideways = [area for area in page.findChildren(QAbstractScrollArea)
                if area.horizontalScrollBar().isVisible() and area is not page.tree]
    assert not sideways, [type(a).__name__ for a in sideways]
    article = global_rect(page.article_view)
    for label in (page.article_source, page.user_text_label):  # nothing drawn over the article
        assert not global_rect(label).intersects(article), label.text()
    assert page.article_view.height() >= 80  # the article itself stays readable


def highlighted_cases(page) -> list[str]:
    return [item.data(0, CASE_ROLE) for item in page.tree.selectedItems()]


def test_after_nothing_fits_the_old_case_is_no_longer_highlighted_nor_step_2_ticked(controller, qtbot):
    window, page = open_triage(controller, qtbot)
    pick(qtbot, page, "Kalender synchronisiert nicht")
    assert window.report.triage.case_id == "calendar_sync_missing"
    qtbot.mouseClick(window.next_button, Qt.LeftButton)
    details = window.pages[Step.DETAILS]
    type_text(details.field_widget("summary"), "Termine fehlen im Kalender")
    type_text(details.field_widget("description.what"), "Seit Montag erscheinen keine Termine.")
    type_text(details.field_widget("description.area").lineEdit(), "Kalender")
    details.field_widget("description.affected").setCurrentIndex(1)
    window.go_back()
    page.search.setFocus()
    qtbot.keyClick(page.search, Qt.Key_A, Qt.ControlModifier)
    type_text(page.search, "Kalender")
    qtbot.mouseClick(page.nothing_fits_button, Qt.LeftButton)
    assert window.report.triage.case_id == "other_technical"
    assert "calendar_sync_missing" not in highlighted_cases(page)
    steps = [window.step_state(step) for step in applicable_steps(window.report)]
    assert steps[0] == "current" and steps[1] != "done", steps


def test_a_new_search_without_the_chosen_case_clears_its_article(controller, qtbot):
    window, page = open_triage(controller, qtbot)
    pick(qtbot, page, "Passwort vergessen")
    assert page.article_box.isVisible()
    page.search.setFocus()
    qtbot.keyClick(page.search, Qt.Key_A, Qt.ControlModifier)
    type_text(page.search, "Drucker druckt nicht")
    assert "password_forgotten" not in shown_cases(page)
    assert not page.article_box.isVisible() and page.placeholder.isVisible()
    assert window.report.triage.case_id == ""  # nothing chosen until the agent picks again
    qtbot.keyClick(page.search, Qt.Key_Return)
    assert window.report.triage.case_id == "printer_settings"
    assert page.article_box.isVisible()


@pytest.mark.parametrize("words, area", [("Kalender synchronisiert nicht", "Kalender"),
                                         ("E-Signatur Upload fehlgeschlagen", "e-Signatur"),
                                         ("Einladungsmail nicht erhalten", "E-Mail-Benachrichtigungen")])
def test_where_on_the_platform_is_preset_for_the_chosen_case(controller, qtbot, words, area):
    window, page = open_triage(controller, qtbot)
    pick(qtbot, page, words)
    qtbot.mouseClick(window.next_button, Qt.LeftButton)
    assert window.pages[Step.DETAILS].field_widget("description.area").currentText() == area
    assert window.report.description.area == area


def test_an_area_the_agent_typed_is_kept_when_the_case_changes(controller, qtbot):
    window, page = open_triage(controller, qtbot)
    pick(qtbot, page, "Kalender synchronisiert nicht")
    qtbot.mouseClick(window.next_button, Qt.LeftButton)
    area = window.pages[Step.DETAILS].field_widget("description.area")
    area.lineEdit().selectAll()
    type_text(area.lineEdit(), "Kalenderansicht im Profil")
    window.go_back()
    pick(qtbot, page, "E-Signatur Upload fehlgeschlagen")
    assert window.report.description.area == "Kalenderansicht im Profil"


def test_escalating_a_self_help_case_carries_the_problem_into_the_summary(controller, qtbot):
    window, page = open_triage(controller, qtbot)
    pick(qtbot, page, "Kamera geht nicht im Termin")
    assert window.report.triage.case_id == "camera_microphone_blocked"
    qtbot.mouseClick(page.escalate_button, Qt.LeftButton)
    type_text(page.reason, "Browser erlaubt, Kamera bleibt schwarz")
    qtbot.mouseClick(window.next_button, Qt.LeftButton)
    summary = window.pages[Step.DETAILS].field_widget("summary")
    assert summary.text() == "Kamera geht nicht im Termin" == window.report.summary


def test_a_case_solved_in_triage_is_counted_in_the_main_window_without_personal_data(
        controller, qtbot, no_dialogs):
    import json

    controller.show_main_window()
    main = controller.main_window
    window, page = open_triage(controller, qtbot)
    pick(qtbot, page, "Passwort vergessen")
    qtbot.mouseClick(page.solved_button, Qt.LeftButton)
    assert window.report.id not in [d.id for d in controller.store.list_drafts()]
    assert main.closed_label.isVisible()
    assert "1" in main.closed_label.text() and "gelöst" in main.closed_label.text().lower()
    lines = (controller.paths.data_dir / "closed-in-triage.jsonl").read_text("utf-8").splitlines()
    entry = json.loads(lines[-1])
    assert entry["case_id"] == "password_forgotten" and entry["answer"] == "solved"
    assert "Passwort vergessen" not in lines[-1]  # what was typed stays out of the log


def test_the_question_to_the_project_lead_is_never_cut_off_at_the_side(controller, qtbot):
    window, page = open_triage(controller, qtbot)
    window.resize(980, 600)  # the wizard's own size on a 1280x720 screen
    window.show()
    qtbot.waitExposed(window)
    pick(qtbot, page, "Welches Dokument darf verwendet werden")
    assert window.report.triage.case_id == "which_document_allowed"
    QApplication.processEvents()
    for widget in (page.lead_question, page.lead_mail_button, page.lead_copy_button):
        page.more.ensureWidgetVisible(widget)  # scrolled to, up or down
        QApplication.processEvents()
        shown = widget.visibleRegion().boundingRect()
        assert shown.width() == widget.width(), (widget.accessibleName(), shown, widget.rect())


def first_char_shown(box) -> int:
    """The position of the first character in view at the box's left edge (0: the start)."""
    from PySide6.QtCore import QPoint

    box.repaint()  # the line edit works out what is in view when it paints
    left = box.contentsRect().left() + box.textMargins().left() + 4
    return box.cursorPositionAt(QPoint(left, box.height() // 2))


def test_a_sentence_typed_into_the_search_shows_from_its_start(controller, qtbot):
    from PySide6.QtCore import QRect, QSize

    from capture_app.ui.platform.screen_fit import fitted_size

    window, page = open_triage(controller, qtbot)
    # The wizard as it opens on a 1280×720 laptop with a taskbar.
    window.resize(fitted_size(QSize(980, 720), QRect(0, 0, 1280, 680)))
    qtbot.waitExposed(window)
    window.activateWindow()  # a line edit without focus always shows its start
    qtbot.waitUntil(window.isActiveWindow)
    sentence = "Kalender des Beraters wird seit gestern nicht mehr synchronisiert (Outlook)"
    type_text(page.search, sentence)
    assert page.search.text() == sentence
    assert page.search.cursorPosition() == len(sentence)
    assert first_char_shown(page.search) == 0, "the start of the typed text is cut off"
    # Longer than any box: once the agent moves on to the list, the start is what shows.
    type_text(page.search, " und im Browser erscheint eine Fehlermeldung zur Verbindung mit dem Server")
    assert first_char_shown(page.search) > 0
    page.tree.setFocus()
    qtbot.waitUntil(lambda: not page.search.hasFocus())
    assert first_char_shown(page.search) == 0
