"""The journeys: what an agent does with the app for each case of the catalogue, by input only.

Every value is typed or chosen through the window; nothing is set on the report directly. A
journey returns what the test then looks for in the files the app wrote.
"""
from __future__ import annotations

from pathlib import Path

from agent import Agent, JourneyError, gone
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMessageBox

CONSOLE_LOG = """15:16:22.049 logo-fehlt.png:1 Failed to load resource: the server responded with a \
status of 404 (Not Found)
15:16:22.054 app.js:1 Beratungsraum wird geladen – Termin 4711
15:16:22.054 app.js:8 ICE-Verbindung fehlgeschlagen: keine Kandidaten
15:16:23.101 app.js:9 Uncaught TypeError: Cannot read properties of undefined (reading '{marker}')
"""

MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
               b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def wizard():
    from capture_app.ui.wizard.window import WizardWindow

    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, WizardWindow) and widget.isVisible():
            return widget
    return None


def main_window():
    from capture_app.ui.main_window import MainWindow

    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow):
            return widget
    return None


_opened: list = []  # the wizard of the running journey (hidden while a screenshot is taken)


def opened():
    return _opened[-1]


def page(step):
    from capture_app.core.wizard.steps import Step

    return opened().pages[Step(step)]


def current_step() -> str:
    return opened().current.value


class Journey:
    def __init__(self, agent: Agent, catalogue, language: str, work: Path, spec: dict):
        self.agent = agent
        self.catalogue = catalogue
        self.language = language
        self.work = work
        self.case = catalogue.get(spec["case"])
        self.path = spec["path"]
        self.tag = spec["tag"]  # unique per journey: found again in the files
        self.spec = spec
        self.typed: dict[str, str] = {}
        self.result: dict = {"typed": self.typed}

    # -- the steps every journey shares

    def start(self) -> None:
        agent = self.agent
        agent.wait(main_window, "the main window")
        agent.click(lambda: main_window().report_button, "Problem melden")
        agent.wait(lambda: wizard() is not None and wizard().isActiveWindow(), "the wizard")
        agent.ui(lambda: _opened.append(wizard()))
        self.report_id = agent.ui(lambda: opened().report.id)
        self.result["report_id"] = self.report_id
        agent.shot("wizard")

    def choose_case(self) -> None:
        agent = self.agent
        search = lambda: page("triage").search  # noqa: E731
        query = self.case.title_in(self.language)
        agent.type_into(search, query, "the search box")
        agent.shot("search")

        def item_point(tree=None):
            from capture_app.ui.wizard.triage_page import CASE_ROLE

            tree = page("triage").tree
            for i in range(tree.topLevelItemCount()):
                item = tree.topLevelItem(i)
                if item.data(0, CASE_ROLE) == self.case.id:
                    return tree.visualItemRect(item).center()
            return None
        agent.wait(item_point, f"{self.case.id} among the matches")
        agent.click(lambda: page("triage").tree.viewport(), f"the case {self.case.id}",
                    where=lambda _viewport: item_point())
        agent.wait(lambda: opened().report.triage.case_id == self.case.id, "the case chosen")
        agent.shot("case")

    def next(self, expected: str) -> None:
        agent = self.agent
        agent.click(lambda: opened().next_button, "Weiter")
        agent.wait(lambda: current_step() == expected,
                   f"step {expected} (problems: {agent.ui(lambda: opened().problems.text())})", 10)
        agent.shot(expected)

    def closed(self) -> None:
        self.agent.wait(lambda: gone(opened()), "the wizard to close")
        self.result["drafts_left"] = self.agent.ui(
            lambda: [d.id for d in main_window().store.list_drafts()])

    # -- outcomes

    def solved(self) -> None:
        self.agent.click(lambda: page("triage").solved_button, "Gelöst")
        self.agent.answer(QMessageBox.Yes, "solved")
        self.closed()

    def done(self) -> None:
        agent = self.agent
        if self.case.outcome == "project_lead":
            lead = lambda: page("triage").lead_question  # noqa: E731
            self.typed["lead_question"] = f"Frage {self.tag} zur Nutzung"
            agent.type_into(lead, self.typed["lead_question"], "the question to the project lead")
            agent.click(lambda: page("triage").lead_copy_button, "copy the message to the lead")
            agent.wait(lambda: self.typed["lead_question"] in QGuiApplication.clipboard().text(),
                       "the message in the clipboard")
            self.result["clipboard"] = agent.ui(lambda: QGuiApplication.clipboard().text())
        agent.shot("outcome")
        agent.click(lambda: page("triage").done_button, "the closing button")
        agent.answer(QMessageBox.Yes, "done")
        self.closed()

    def escalate(self) -> None:
        agent = self.agent
        agent.click(lambda: page("triage").escalate_button, "Hat nicht geholfen")
        reason = f"Artikel befolgt, Fehler bleibt ({self.tag})"
        self.typed["escalation_reason"] = reason
        agent.type_into(lambda: page("triage").reason, reason, "the reason")
        agent.shot("escalated")
        self.report()

    # -- the report for 2nd-level support

    def report(self, finish=None) -> None:
        self.next("details")
        self.details()
        self.next("time")
        self.time()
        self.next("environment")
        self.environment()
        self.next("evidence")
        self.evidence()
        self.next("review")
        (finish or self.review)()

    def text(self, path: str, value: str, what: str) -> None:
        self.typed[path] = value
        self.agent.type_into(lambda: page("details").field_widget(path), value, what)

    def details(self) -> None:
        agent, tag = self.agent, self.tag
        combo = lambda path: (lambda: page("details").field_widget(path))  # noqa: E731
        self.text("summary", f"Störung {tag} übergreifend", "Zusammenfassung")
        agent.choose(combo("description.affected"), "advisor", "Wer ist betroffen")
        self.text("description.affected_name", f"Jörg Weiß {tag}", "Name")
        area = lambda: page("details").field_widget("description.area").lineEdit()  # noqa: E731
        self.typed["description.area"] = f"Bereich {tag}"
        agent.type_into(area, self.typed["description.area"], "Wo auf der Plattform")
        self.text("description.what", f"Beim Öffnen erscheint Fehler {tag} für alle Berater.", "Was")
        self.text("description.steps", f"Anmelden, Termin öffnen {tag}", "Schritte")
        self.text("description.expected", f"Termin lädt {tag}", "Erwartet")
        self.text("description.actual", f"Weiße Seite {tag}", "Tatsächlich")
        agent.choose(combo("description.frequency"), "always", "Wie oft")
        agent.choose(combo("description.urgency"), "high", "Dringlichkeit")
        language = self.language
        for case_field in self.case.fields:
            path = f"description.case_fields.{case_field.id}"
            label = case_field.label.get(language) or case_field.label["de"]
            if case_field.kind == "yesno":
                agent.choose(combo(path), "yes", label)
                continue
            value = (f"{case_field.id}.{tag}@bank.de".replace("_", "-") if case_field.kind == "email"
                     else f"{label.split(' (')[0]} {tag} ä")
            self.text(path, value, label)
        agent.shot("details-filled")

    def time(self) -> None:
        note = lambda: page("time").field_widget("occurred.note")  # noqa: E731
        self.typed["occurred.note"] = f"ungefähr beim Termin {self.tag}"
        self.agent.type_into(note, self.typed["occurred.note"], "Notiz zum Zeitpunkt")

    def environment(self) -> None:
        agent = self.agent
        env = lambda: page("environment")  # noqa: E731
        agent.click(lambda: env().other_machine, "Nein, ein anderes Gerät")
        field = lambda path: (lambda: env().field_widget(path))  # noqa: E731
        agent.choose(field("advisor_environment.device_type"), "laptop", "Gerät")
        browser = lambda: env().field_widget("advisor_environment.browser").lineEdit()  # noqa: E731
        agent.type_into(browser, "Firefox", "Browser")
        version = f"128.{len(self.tag)}.1"
        self.typed["advisor_environment.browser_version"] = version
        agent.type_into(field("advisor_environment.browser_version"), version, "Browser-Version")
        agent.click(lambda: env().unknown_boxes["customer_environment"], "Kundenseite unbekannt")
        agent.wait(lambda: env().unknown_boxes["customer_environment"].isChecked(), "unknown ticked")
        agent.shot("environment-filled")

    def evidence(self) -> None:
        agent = self.agent
        ev = lambda: page("evidence")  # noqa: E731
        shots = lambda: sum(1 for item in opened().report.evidence if item.kind == "screenshot")  # noqa: E731
        agent.wait(lambda: shots() >= 1, "the screenshot taken at the start")
        # One more capture of the whole screen, from the capture button's menu.
        agent.click(lambda: ev().screenshots.capture_button, "Bildschirmfoto aufnehmen")
        menu = lambda: ev().screenshots.menu  # noqa: E731
        agent.wait(lambda: menu().isVisible(), "the capture menu")
        first = lambda: menu().actions()[0]  # noqa: E731
        agent.click(menu, "Ganzer Bildschirm", where=lambda m: m.actionGeometry(first()).center())
        agent.wait(lambda: shots() >= 2, "the second screenshot")
        agent.wait(lambda: opened().isVisible() and opened().isActiveWindow(), "the wizard back")
        # The console messages, copied in the browser and pasted here.
        marker = f"kalender{self.tag}"
        self.result["console_marker"] = marker
        agent.ui(lambda: QGuiApplication.clipboard().setText(CONSOLE_LOG.format(marker=marker)))
        agent.click(lambda: ev().console_tools.paste_button, "Konsolenmeldungen einfügen")
        dialog = lambda: ev().console_tools.dialog  # noqa: E731
        agent.wait(lambda: dialog() is not None and dialog().isVisible(), "the console dialog")
        agent.click(lambda: dialog().paste, "the paste field")
        agent.key("ctrl+v")
        agent.wait(lambda: dialog().ok_button.isEnabled(), "the pasted messages read")
        agent.shot("console")
        agent.click(lambda: dialog().ok_button, "Anhängen")
        agent.wait(lambda: any(item.kind == "console" for item in opened().report.evidence),
                   "the console messages attached")
        if "document" in self.case.requires_evidence:
            self.document()
        agent.shot("evidence-filled")

    def document(self) -> None:
        agent = self.agent
        ev = lambda: page("evidence")  # noqa: E731
        pdf = self.work / f"Vertrag {self.tag}.pdf"
        pdf.write_bytes(MINIMAL_PDF)
        agent.choose(lambda: ev().kind, "document", "Art")
        agent.click(lambda: ev().add_button, "Hinzufügen")
        self.file_dialog(str(pdf))
        agent.wait(lambda: any(item.kind == "document" for item in opened().report.evidence),
                   "the document attached")

        def confirm_cell():
            from capture_app.ui.wizard.evidence_page import COL_CONFIRM

            table = ev().table
            for row in range(table.rowCount()):
                cell = table.item(row, COL_CONFIRM)
                if cell is not None and cell.flags() & Qt.ItemIsUserCheckable:  # the document
                    rect = table.visualItemRect(cell)
                    return QPoint(rect.left() + 12, rect.center().y())
            return None
        agent.wait(confirm_cell, "the confirmation box of the document")
        agent.click(lambda: ev().table.viewport(), "keine personenbezogenen Daten",
                    where=lambda _v: confirm_cell())
        agent.wait(lambda: all(item.no_personal_data_confirmed for item in opened().report.evidence
                               if item.kind == "document"), "the document confirmed")

    def file_dialog(self, path: str) -> None:
        """Qt's own file dialog (no desktop portal here): type the path, press Enter."""
        agent = self.agent
        dialog = agent.wait(lambda: _file_dialog(), "the file dialog")
        name = lambda: dialog.findChild(QLineEdit, "fileNameEdit")  # noqa: E731
        agent.type_into(name, path, "the file name")
        agent.shot("file-dialog")
        agent.key("Return")
        agent.wait(lambda: gone(dialog), "the file dialog to close")

    def review(self) -> None:
        agent = self.agent
        review = lambda: page("review")  # noqa: E731
        agent.wait(lambda: review().review is not None, "the list of what is sent")
        agent.wait(lambda: self.typed["summary"] in review().preview.toPlainText(), "the preview")
        export_folder = self.work / f"export-{self.tag}"
        export_folder.mkdir()
        agent.click(lambda: review().export_button, "Exportieren")
        self.file_dialog(str(export_folder))
        self.result["export_message"] = agent.answer(QMessageBox.Ok, "exported")
        self.result["exported"] = [str(p) for p in export_folder.glob("*.zip")]
        agent.click(lambda: review().send_buttons.queue_button, "In Postausgang")
        self.result["queue_message"] = agent.answer(QMessageBox.Ok, "queued")
        self.closed()

    def send_now(self) -> None:
        """"Senden" on Review to the helpdesk set up for this app. There is no keyring on this
        machine, so the app asks for the access token; the agent types it. The answer is read,
        then the report is looked up in the outbox, opened from the main window."""
        agent = self.agent
        review = lambda: page("review")  # noqa: E731
        agent.wait(lambda: review().review is not None, "the list of what is sent")
        agent.click(lambda: review().send_buttons.send_button, "Senden")
        prompt = agent.wait(_input_dialog, "the question for the access token")
        agent.type_into(lambda: prompt.findChild(QLineEdit), self.spec["token"], "the token")
        agent.shot("token")
        agent.key("Return")
        self.result["send_message"] = agent.answer(QMessageBox.Ok, "sent")
        self.closed()
        agent.click(lambda: main_window().outbox_button, "Postausgang")
        agent.wait(lambda: _outbox_row(self.report_id) is not None, "the report in the outbox")
        window = agent.ui(lambda: _outbox_row(self.report_id)[0])
        agent.click(lambda: window.table.viewport(), "the report's row",
                    where=lambda _v: _outbox_row(self.report_id)[1])
        agent.wait(lambda: window.selected_id() == self.report_id, "the report selected")
        agent.shot("outbox")
        self.result["outbox_state"] = agent.ui(lambda: window.table.item(
            window.table.currentRow(), 1).text())
        self.result["outbox_details"] = agent.ui(lambda: window.details.text())
        agent.ui(window.close)

    # -- the whole journey

    def run(self) -> dict:
        self.start()
        self.choose_case()
        if self.path == "report":
            self.report()
        elif self.path == "solved":
            self.solved()
        elif self.path == "escalate":
            self.escalate()
        elif self.path == "done":
            self.done()
        elif self.path == "send":
            self.report(finish=self.send_now)
        else:
            raise JourneyError(f"unknown path {self.path}")
        return self.result


def _input_dialog():
    from PySide6.QtWidgets import QInputDialog

    widget = QApplication.activeModalWidget()
    return widget if isinstance(widget, QInputDialog) and widget.isVisible() else None


def _outbox_row(report_id: str):
    """The outbox window on screen and the middle of the report's row in its table."""
    from capture_app.ui.sending.outbox_window import ID_ROLE, OutboxWindow

    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, OutboxWindow) and widget.isVisible():
            table = widget.table
            for row in range(table.rowCount()):
                cell = table.item(row, 1)
                if cell is not None and cell.data(ID_ROLE) == report_id:
                    return widget, table.visualItemRect(cell).center()
    return None


def _file_dialog():
    widget = QApplication.activeModalWidget()
    return widget if isinstance(widget, QFileDialog) and widget.isVisible() else None


def clean_up() -> None:
    """After a failed journey: close what it left open, so the next one starts fresh."""
    for _ in range(5):
        modal = QApplication.activeModalWidget()
        if modal is None:
            break
        getattr(modal, "reject", modal.close)()
    for widget in QApplication.topLevelWidgets():
        if hasattr(widget, "_discarding") and widget.isVisible():
            widget._discarding = True
            widget.close()
