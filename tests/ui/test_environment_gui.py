"""The Environment step as an agent uses it: this computer's facts, a pasted user agent, the
supported-browser warning, the text for the customer, and reviewing the system facts."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from capture_app.core.environment.probes.system import parse_os_release
from capture_app.core.platform.config import Config
from capture_app.core.sending.render import render_text
from capture_app.core.wizard.steps import Step

pytestmark = pytest.mark.gui

IPAD = ("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.5 Mobile/15E148 Safari/604.1")


@pytest.fixture
def page(controller, qtbot):
    window = controller.new_report()
    qtbot.addWidget(window)
    env_page = window.page(Step.ENVIRONMENT)
    qtbot.waitUntil(lambda: env_page.collected and env_page.support_list is not None, timeout=30_000)
    return env_page


def paste(qtbot, widget, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    widget.insert(text)  # what Ctrl+V does: textEdited fires like typing


def test_this_computer_fills_the_advisor_side_from_the_probes(page, qtbot):
    report = page.report
    assert report.system.values["os.name"] == parse_os_release(Path("/etc/os-release").read_text())["NAME"]
    page.this_machine.click()
    advisor = report.advisor_environment
    assert advisor.source == "this_machine"
    assert advisor.os == report.system.values["os.name"]
    default = report.system.values["browsers.default"]
    assert advisor.browser == default == "Chromium"  # xdg-settings names it on this machine
    printed = subprocess.run(["chromium", "--version"], capture_output=True, text=True, timeout=30).stdout
    assert advisor.browser_version == re.search(r"\d+(\.\d+)+", printed).group(0)
    assert page.field_widget("advisor_environment.browser").currentText() == "Chromium"
    assert "Beraterseite aus diesem Computer übernommen" in page.status.text()
    assert "Chromium" in page.installed_label.text() and "Firefox" in page.installed_label.text()
    assert report.system.values["machine.role"] == "den Computer des betroffenen Beraters"
    # Chromium is not on Flexperto's list: the warning is in the form and in the report.
    assert "steht nicht auf der Liste der unterstützten Browser" in page.support_labels["advisor_environment"].text()
    assert advisor.support_status == "unsupported_browser"
    assert "Browser-Prüfung: Chromium steht nicht auf der Liste" in render_text(report, "de")


def test_what_the_agent_typed_is_not_overwritten(page, qtbot):
    browser = page.field_widget("advisor_environment.browser")
    browser.setEditText("Firefox")
    page.this_machine.click()
    advisor = page.report.advisor_environment
    assert advisor.source == "this_machine" and advisor.os == page.report.system.values["os.name"]
    assert advisor.browser == "Firefox"  # typed by the agent: kept, and its own installed version
    assert advisor.browser_version == page.report.system.values["browsers.firefox"]


def test_a_pasted_user_agent_fills_the_customer_side(page, qtbot):
    paste(qtbot, page.field_widget("customer_environment.user_agent"), IPAD)
    customer = page.report.customer_environment
    qtbot.waitUntil(lambda: customer.browser == "Safari", timeout=10_000)
    assert (customer.device_type, customer.os, customer.os_version, customer.browser_version) == (
        "tablet", "iPadOS", "17.5", "17.5")
    taken = page.ua_labels["customer_environment"].text()
    assert "Aus dem User-Agent übernommen: Safari 17.5 auf iPadOS 17.5." in taken
    assert customer.support_status == "supported"
    assert page.support_labels["customer_environment"].text() == "Safari 17.5 wird unterstützt (ab Version 17)."


@pytest.mark.parametrize("text", ["bitte rufen Sie mich an", "Mozilla/5.0 " + "(x; " * 20_000])
def test_garbage_or_a_huge_paste_changes_nothing_and_says_why(page, qtbot, text):
    customer = page.report.customer_environment
    page.field_widget("customer_environment.browser").setEditText("Firefox")
    paste(qtbot, page.field_widget("customer_environment.user_agent"), text)
    label = page.ua_labels["customer_environment"]
    qtbot.waitUntil(lambda: label.text().startswith("User-Agent nicht übernommen:"), timeout=10_000)
    assert customer.browser == "Firefox" and customer.os == ""


def test_an_outdated_browser_is_warned_about_in_form_and_report(page, qtbot):
    page.field_widget("customer_environment.browser").setEditText("Chrome")
    page.field_widget("customer_environment.os").setEditText("Android")
    page.field_widget("customer_environment.browser_version").setText("109.0.5414.118")
    label = page.support_labels["customer_environment"]
    assert label.text() == ("Chrome 109.0.5414.118 ist veraltet: unterstützt ab Version 130. "
                            "Bitte den Browser aktualisieren und erneut versuchen.")
    assert label.property("warning") is True
    assert page.report.customer_environment.support_status == "outdated"
    page.field_widget("customer_environment.browser_version").setText("131.0.6778.81")
    assert page.report.customer_environment.support_status == "supported"
    assert label.property("warning") is False


def test_the_customer_text_is_german_and_copied_to_the_clipboard(page, qtbot):
    qtbot.mouseClick(page.copy_button, Qt.LeftButton)
    copied = QApplication.clipboard().text()
    assert copied.startswith("Guten Tag,") and "Über Google Chrome" in copied
    assert page.copied.text() == "Anleitung in die Zwischenablage kopiert."
    page.help_language.setCurrentIndex(page.help_language.findData("en"))
    assert page.help_text.toPlainText().startswith("Hello,")


def test_unticking_a_fact_excludes_it_and_is_remembered(page, qtbot, app_paths):
    view = page.system_view
    view.set_included("devices.cameras", False)
    assert "devices.cameras" in page.report.system.excluded
    qtbot.waitUntil(lambda: "devices.cameras" in (Config.load(app_paths).get("system_info.excluded") or []),
                    timeout=10_000)
    text = render_text(page.report, "de")
    assert "Kameras: " not in text and "Kameras" in text  # withheld: named, value not sent
    view.set_included("devices.cameras", True)
    qtbot.waitUntil(lambda: "devices.cameras" not in Config.load(app_paths).get("system_info.excluded"),
                    timeout=10_000)


def test_review_step_opens_the_system_facts(controller, qtbot, monkeypatch):
    from capture_app.ui.environment import system_info_view

    window = controller.new_report()
    qtbot.addWidget(window)
    env_page = window.page(Step.ENVIRONMENT)
    qtbot.waitUntil(lambda: env_page.collected, timeout=30_000)
    review = window.page(Step.REVIEW)
    shown = []
    monkeypatch.setattr(system_info_view.SystemInfoDialog, "exec",
                        lambda dialog: shown.append(dialog.view.table.rowCount()) or 0)
    qtbot.mouseClick(review.system_info_button, Qt.LeftButton)
    assert shown == [len(window.report.system.values)] and shown[0] > 20


@pytest.fixture
def unreachable_page(controller, qtbot):
    """The Umgebung step on a computer where the Flexperto address does not resolve."""
    controller.config.set_user("flexperto.instance_url", "https://beratung.flexperto.invalid")
    controller.config.set_user("system_info.network_timeout_s", 2)
    window = controller.new_report()
    qtbot.addWidget(window)
    env_page = window.page(Step.ENVIRONMENT)
    qtbot.waitUntil(lambda: env_page.collected, timeout=30_000)
    return env_page


def test_an_unreachable_flexperto_platform_is_a_banner_at_the_top_with_what_to_do(
        unreachable_page, qtbot):
    page = unreachable_page
    banner = page.reach_banner
    assert banner.isVisibleTo(page)
    text = banner.text()
    assert "beratung.flexperto.invalid" in text and "nicht erreichbar" in text
    assert "Name nicht auflösbar" in text  # the reason, as the check found it
    assert "Adresse Ihrer Flexperto-Plattform" in text and "IT" in text  # what to do
    # At the top of the step, above everything the agent fills in.
    body = page.this_machine.parentWidget()
    assert banner.parentWidget() is body and body.layout().itemAt(0).widget() is banner
    assert banner.accessibleName() and "nicht erreichbar" in banner.accessibleDescription()


def test_no_banner_when_no_address_is_set_and_the_stun_row_names_a_real_setting(page, qtbot):
    from capture_app.ui.settings_dialog import SettingsDialog

    assert not page.reach_banner.isVisibleTo(page)
    stun = page.report.system.values["network.stun"]
    dialog = SettingsDialog(page.env.config)
    qtbot.addWidget(dialog)
    labels = {editor.accessibleName() for editor in dialog.editors.values()}
    named = [label for label in labels if label in stun]
    assert named == ["STUN-Server für den UDP-Test"], stun
    tab = dialog.tabs.tabText(dialog.tabs.indexOf(dialog.tabs.widget(0)))
    assert dialog.tabs.widget(0).isAncestorOf(dialog.editors["system_info.stun_server"])
    assert tab in stun
