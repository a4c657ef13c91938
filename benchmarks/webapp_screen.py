"""Paint a screen of typical web-app content on an X server, for benchmarks/capture.py.

    QT_QPA_PLATFORM=xcb DISPLAY=:N python benchmarks/webapp_screen.py WIDTH HEIGHT [SCALE]

A frameless window covers the screen with what an agent's screen shows while the Flexperto
platform is open: a browser tab strip and address bar, the platform's header and navigation,
an appointment list, a form, text in several sizes (anti-aliased), a video tile with camera-like
texture and a console panel. SCALE 2 draws the same page as a 200 % HiDPI screen does. Prints
``ready`` once the window is on screen.
"""
from __future__ import annotations

import random
import sys

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QImage, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import QApplication, QWidget

LOREM = ("Ihr Termin mit Frau Beispiel beginnt in 5 Minuten. Bitte prüfen Sie Kamera und "
         "Mikrofon, bevor Sie den Beratungsraum betreten. Dokumente zur e-Signatur finden Sie "
         "im Bereich Unterlagen; der Kunde erhält eine Einladung per E-Mail.")


def camera_texture(width: int, height: int, seed: int = 7) -> QImage:
    """A soft, noisy picture like a webcam frame (faces and rooms are not flat colours)."""
    image = QImage(width, height, QImage.Format_RGB32)
    painter = QPainter(image)
    gradient = QLinearGradient(0, 0, width, height)
    gradient.setColorAt(0, QColor(92, 112, 128))
    gradient.setColorAt(0.5, QColor(181, 150, 120))
    gradient.setColorAt(1, QColor(60, 70, 80))
    painter.fillRect(0, 0, width, height, gradient)
    painter.setRenderHint(QPainter.Antialiasing)
    painter.setBrush(QColor(224, 186, 160))
    painter.setPen(Qt.NoPen)
    painter.drawEllipse(QPointF(width * 0.5, height * 0.42), width * 0.16, height * 0.24)
    painter.setBrush(QColor(40, 50, 70))
    painter.drawEllipse(QPointF(width * 0.5, height * 1.05), width * 0.32, height * 0.4)
    painter.end()
    rng = random.Random(seed)
    # Sensor noise on a grid of small blocks: keeps the texture busy without a slow per-pixel loop.
    noise = QPainter(image)
    step = 3
    for y in range(0, height, step):
        for x in range(0, width, step):
            shade = rng.randint(-10, 10)
            noise.fillRect(x, y, step, step, QColor(128 + shade, 128 + shade, 128 + shade, 36))
    noise.end()
    return image


class WebAppScreen(QWidget):
    def __init__(self, width: int, height: int, scale: float):
        super().__init__(None, Qt.FramelessWindowHint | Qt.X11BypassWindowManagerHint)
        self.scale = scale
        self.setGeometry(0, 0, width, height)
        self.camera = camera_texture(int(360 * scale), int(240 * scale))

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        p.setRenderHint(QPainter.TextAntialiasing)
        s = self.scale
        w, h = self.width(), self.height()
        p.fillRect(0, 0, w, h, QColor("#ffffff"))
        # Browser chrome: tab strip and address bar.
        p.fillRect(0, 0, w, int(36 * s), QColor("#dee1e6"))
        p.fillRect(int(8 * s), int(6 * s), int(240 * s), int(30 * s), QColor("#ffffff"))
        p.fillRect(0, int(36 * s), w, int(40 * s), QColor("#ffffff"))
        p.setPen(QColor("#c4c7c5"))
        p.drawRoundedRect(QRectF(90 * s, 42 * s, w - 200 * s, 28 * s), 14 * s, 14 * s)
        self.text(p, 20, 26, "Flexperto – Beratung", 10, "#202124")
        self.text(p, 110, 61, "https://beratung.musterbank.de/advisor/appointments", 10, "#202124")
        top = 76
        # Platform header and navigation.
        p.fillRect(0, int(top * s), w, int(56 * s), QColor("#003b6f"))
        self.text(p, 24, top + 36, "Musterbank Online-Beratung", 15, "#ffffff", bold=True)
        for i, label in enumerate(("Termine", "Kunden", "Unterlagen", "Kalender", "Einstellungen")):
            self.text(p, 420 + i * 130, top + 35, label, 11, "#d6e4f0")
        side_top = top + 56
        p.fillRect(0, int(side_top * s), int(230 * s), h, QColor("#f3f5f7"))
        for i, label in enumerate(("Übersicht", "Heute", "Diese Woche", "Warteraum", "Archiv",
                                   "Vorlagen", "Hilfe")):
            if i == 1:
                p.fillRect(0, int((side_top + 16 + i * 40) * s), int(230 * s), int(36 * s),
                           QColor("#dbe7f3"))
            self.text(p, 24, side_top + 40 + i * 40, label, 11, "#1f2d3d")
        # Main column: heading, paragraph, appointment table, form.
        x0 = 260
        self.text(p, x0, side_top + 50, "Heutige Termine", 20, "#1f2d3d", bold=True)
        self.paragraph(p, x0, side_top + 80, LOREM, 11, 720)
        table_top = side_top + 170
        columns = ("Uhrzeit", "Kunde", "Thema", "Status")
        p.fillRect(int(x0 * s), int(table_top * s), int(760 * s), int(34 * s), QColor("#eef2f6"))
        for c, label in enumerate(columns):
            self.text(p, x0 + 12 + c * 190, table_top + 23, label, 10, "#52606d", bold=True)
        rows = [("09:30", "M. Muster", "Baufinanzierung", "Abgeschlossen"),
                ("10:15", "A. Beispiel", "Depoteröffnung", "Ausstehend"),
                ("11:00", "K. Schmidt", "Kfz-Versicherung", "Läuft"),
                ("13:45", "J. Meyer", "Altersvorsorge", "Geplant"),
                ("15:30", "L. Wagner", "e-Signatur Vertrag", "Geplant"),
                ("16:15", "S. Becker", "Kontowechsel", "Geplant")]
        for r, row in enumerate(rows):
            y = table_top + 34 + r * 38
            p.setPen(QColor("#e4e7eb"))
            p.drawLine(QPointF(x0 * s, (y + 38) * s), QPointF((x0 + 760) * s, (y + 38) * s))
            for c, value in enumerate(row):
                colour = "#1f2d3d"
                if c == 3:
                    colour = {"Abgeschlossen": "#2f855a", "Ausstehend": "#b7791f",
                              "Läuft": "#2b6cb0"}.get(value, "#52606d")
                self.text(p, x0 + 12 + c * 190, y + 25, value, 11, colour)
        form_top = table_top + 34 + len(rows) * 38 + 30
        self.text(p, x0, form_top, "Notiz zum Termin", 13, "#1f2d3d", bold=True)
        p.setPen(QPen(QColor("#9aa5b1"), max(1.0, s)))
        p.setBrush(QColor("#ffffff"))
        p.drawRoundedRect(QRectF(x0 * s, (form_top + 12) * s, 520 * s, 90 * s), 4 * s, 4 * s)
        self.paragraph(p, x0 + 10, form_top + 36, "Kunde meldet: Bild friert nach 2 Minuten ein.",
                       11, 500)
        p.setPen(Qt.NoPen)
        p.setBrush(QColor("#0067b8"))
        p.drawRoundedRect(QRectF(x0 * s, (form_top + 116) * s, 170 * s, 38 * s), 4 * s, 4 * s)
        self.text(p, x0 + 22, form_top + 141, "Beratung starten", 11, "#ffffff", bold=True)
        # Right column: the video tile and a console panel.
        right = max(x0 + 800, int(w / s) - 420)
        self.text(p, right, side_top + 50, "Vorschau Kamera", 13, "#1f2d3d", bold=True)
        p.drawImage(QPointF(right * s, (side_top + 64) * s), self.camera)
        console_top = side_top + 330
        p.fillRect(int(right * s), int(console_top * s), int(380 * s), int(260 * s),
                   QColor("#202124"))
        lines = ["GET /api/v2/appointments 200 (142 ms)",
                 "WebSocket connection established",
                 "Uncaught TypeError: Cannot read properties",
                 "  of undefined (reading 'stream')",
                 "    at VideoRoom.attach (room.js:481)",
                 "ICE candidate gathering complete",
                 "POST /api/v2/documents/sign 500"]
        for i, line in enumerate(lines):
            colour = "#f28b82" if "Uncaught" in line or " 500" in line else "#e8eaed"
            self.text(p, right + 10, console_top + 24 + i * 22, line, 9, colour, mono=True)
        # Footer status bar.
        p.fillRect(0, h - int(28 * s), w, int(28 * s), QColor("#f1f3f4"))
        self.text(p, 12, int(h / s) - 9, "Verbunden · Ende-zu-Ende verschlüsselt", 9, "#5f6368")
        p.end()

    def text(self, p: QPainter, x: float, y: float, text: str, size: float, colour: str, *,
             bold: bool = False, mono: bool = False) -> None:
        font = QFont("DejaVu Sans Mono" if mono else "DejaVu Sans")
        font.setPixelSize(max(1, round(size * 1.33 * self.scale)))
        font.setBold(bold)
        p.setFont(font)
        p.setPen(QColor(colour))
        p.drawText(QPointF(x * self.scale, y * self.scale), text)

    def paragraph(self, p: QPainter, x: float, y: float, text: str, size: float, width: float):
        font = QFont("DejaVu Sans")
        font.setPixelSize(max(1, round(size * 1.33 * self.scale)))
        p.setFont(font)
        p.setPen(QColor("#3e4c59"))
        s = self.scale
        p.drawText(QRectF(x * s, (y - size * 1.2) * s, width * s, 200 * s),
                   Qt.TextWordWrap | Qt.AlignLeft | Qt.AlignTop, text)


def main() -> int:
    width, height = int(sys.argv[1]), int(sys.argv[2])
    scale = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    app = QApplication(sys.argv[:1])
    screen = WebAppScreen(width, height, scale)
    screen.show()
    # The first paint reaches the X server a moment after show(); then it stays as it is.
    QTimer.singleShot(400, lambda: print("ready", flush=True))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
