"""Show raw RGB pixels 1:1 in a frameless window on an X server (used by tests/xdisplay.py).

    QT_QPA_PLATFORM=xcb DISPLAY=:N python paint_pattern.py FILE WIDTH HEIGHT X Y

Prints ``ready`` once the window has been painted and the X server has the pixels.
"""
from __future__ import annotations

import sys

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication, QWidget


class Pattern(QWidget):
    def __init__(self, image: QImage):
        super().__init__(None, Qt.FramelessWindowHint | Qt.X11BypassWindowManagerHint)
        self.image = image
        self.painted = False

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.drawImage(0, 0, self.image)
        painter.end()
        self.painted = True


def main() -> int:
    path, width, height, x, y = sys.argv[1], *map(int, sys.argv[2:6])
    app = QApplication(sys.argv[:1])
    # Qt must not scale the pattern: one image pixel is one screen pixel.
    with open(path, "rb") as handle:
        data = handle.read()
    image = QImage(data, width, height, width * 3, QImage.Format_RGB888).copy()
    window = Pattern(image)
    window.setGeometry(x, y, width, height)
    window.show()

    def ready() -> None:
        if not window.painted:
            QTimer.singleShot(50, ready)
            return
        app.sync()  # the X server has received every request
        print("ready", flush=True)

    QTimer.singleShot(200, ready)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
