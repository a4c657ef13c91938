"""Qt's own texts in the interface language: the Yes/No of confirmations, the folder picker.

Qt ships them as ``qtbase_<lang>.qm`` next to its libraries (in the PySide6 wheel, and in the
packaged build, whose spec keeps the German and English files). English is Qt's own language,
so for it no translation is loaded — and one loaded before is taken out again.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

TRANSLATOR_NAME = "report-capture-qt-texts"


def qt_translations_folder() -> str:
    return QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)


def use_qt_texts(language: str, app: QCoreApplication | None = None) -> bool:
    """Show Qt's own texts in ``language``; False when Qt has no translation for it here."""
    app = app or QCoreApplication.instance()
    if app is None:
        return False
    for old in app.findChildren(QTranslator, TRANSLATOR_NAME):
        app.removeTranslator(old)
        old.deleteLater()
    if language == "en":
        return True
    translator = QTranslator(app)
    translator.setObjectName(TRANSLATOR_NAME)
    if not translator.load(f"qtbase_{language}", qt_translations_folder()):
        translator.deleteLater()
        return False
    app.installTranslator(translator)
    return True
