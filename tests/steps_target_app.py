"""A real application window for the step recorder's tests: a titled window with a text field.

    QT_QPA_PLATFORM=xcb DISPLAY=:N python steps_target_app.py TITLE X Y WIDTH HEIGHT

Prints ``ready`` once the window is shown and the X server knows it, then one JSON line with the
centre of the "Speichern" button on the desktop (physical pixels).
"""
from __future__ import annotations

import json
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QVBoxLayout, QWidget


def main() -> int:
    title, x, y, width, height = sys.argv[1], *map(int, sys.argv[2:6])
    app = QApplication(sys.argv[:1])
    app.setApplicationName("steps-target")
    window = QWidget()
    window.setWindowTitle(title)
    layout = QVBoxLayout(window)
    layout.addWidget(QLineEdit())
    button = QPushButton("Speichern")
    layout.addWidget(button)
    window.setGeometry(x, y, width, height)
    window.show()

    def ready() -> None:
        app.sync()
        print("ready", flush=True)
        centre = button.mapToGlobal(button.rect().center())
        ratio = button.devicePixelRatioF()
        print(json.dumps({"button": [round(centre.x() * ratio), round(centre.y() * ratio)]}),
              flush=True)

    QTimer.singleShot(300, ready)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
