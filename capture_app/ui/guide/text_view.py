"""The console guide in a Qt text view: used where no webview can run (locked-down machines).

It shows the same HTML file (all sections, scrolled to the chosen one), and offers the system
browser for the full layout and a button that copies the short end-user version.
"""
from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from capture_app.core.platform.i18n import current_language, tr
from capture_app.ui.guide import sections
from capture_app.ui.platform.screen_fit import resize_to_fit


class GuideTextWindow(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("console.guide_title"))
        self.setAccessibleName(tr("console.guide_title"))
        resize_to_fit(self, 620, 820)
        layout = QVBoxLayout(self)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName(tr("console.guide_notice_name"))
        layout.addWidget(self.notice)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(True)
        self.browser.setOpenExternalLinks(False)
        self.browser.setAccessibleName(tr("console.guide_text_name"))
        layout.addWidget(self.browser, 1)
        row = QHBoxLayout()
        self.open_browser = QPushButton(tr("console.guide_open_browser"))
        self.open_browser.setAccessibleName(tr("console.guide_open_browser").replace("&", ""))
        self.open_browser.clicked.connect(self.open_in_browser)
        self.copy_short = QPushButton(tr("console.guide_copy_short"))
        self.copy_short.setAccessibleName(tr("console.guide_copy_short").replace("&", ""))
        self.copy_short.setToolTip(tr("console.guide_copy_short_hint"))
        self.copy_short.clicked.connect(self.copy_short_version)
        close = QPushButton(tr("console.guide_close"))
        close.setAccessibleName(tr("console.guide_close").replace("&", ""))
        close.clicked.connect(self.close)
        row.addWidget(self.open_browser)
        row.addWidget(self.copy_short)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.url = ""

    def open_url(self, url: str, reason: str = "") -> None:
        self.url = url
        self.notice.setText(reason)
        self.notice.setVisible(bool(reason))
        self.browser.setSource(QUrl(url))
        fragment = QUrl(url).fragment()
        if fragment:
            self.browser.scrollToAnchor(fragment)

    def section(self) -> str:
        return QUrl(self.url).fragment()

    def open_in_browser(self) -> bool:
        return QDesktopServices.openUrl(QUrl(self.url))

    def copy_short_version(self) -> str:
        text = sections.short_text(current_language())
        QApplication.clipboard().setText(text)
        return text
