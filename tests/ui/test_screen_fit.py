"""Windows fit the screen they open on: nothing of them lies under the taskbar of a small laptop.

1920×1080 at 150 % is 1280×720 logical pixels; Windows' taskbar takes 40 of them. The app is
started on an X server of that size whose free area (``_NET_WORKAREA``, what a desktop's panel
sets) ends 40 pixels above the bottom, and the wizard's window is read back from the X server.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QImage
from xdisplay import XServer, xcb_env

from capture_app.ui.guide.launcher import GUIDE_SIZE, window_size_args
from capture_app.ui.platform.screen_fit import FRAME, fitted_size, screen_room

pytestmark = pytest.mark.gui

WIZARD = re.compile(r'"Problem melden": \(.*?\)\s+(\d+)x(\d+)\+(-?\d+)\+(-?\d+)')


def test_a_window_keeps_its_size_where_there_is_room_and_shrinks_where_there_is_not():
    full_hd = QRect(0, 0, 1920, 1040)
    assert fitted_size(QSize(980, 720), full_hd) == QSize(980, 720)
    laptop = QRect(0, 0, 1280, 680)  # 1920×1080 at 150 %, taskbar at the bottom
    assert fitted_size(QSize(980, 720), laptop) == QSize(980, 680 - FRAME.height())
    assert fitted_size(QSize(1100, 760), laptop) == QSize(1100, 680 - FRAME.height())
    netbook = QRect(0, 24, 1024, 552)  # a panel at the top: the free area starts lower
    assert fitted_size(QSize(1100, 760), netbook) == QSize(1024 - FRAME.width(),
                                                           552 - FRAME.height())


def test_the_editor_and_the_guide_open_no_larger_than_the_screen(qapp, no_dialogs):
    from capture_app.ui.editor.dialog import EditorDialog, preferred_size

    room = screen_room()
    image = QImage(3840, 2160, QImage.Format_RGB32)
    image.fill(0xFFFFFF)
    dialog = EditorDialog(image, title="Bildschirm 14:03")
    try:
        assert dialog.width() <= room.width() - FRAME.width()
        assert dialog.height() <= room.height() - FRAME.height()
        assert dialog.size() == fitted_size(QSize(*preferred_size(room)), room)
    finally:
        dialog.deleteLater()
    args = window_size_args()
    width, height = int(args[args.index("--width") + 1]), int(args[args.index("--height") + 1])
    assert QSize(width, height) == fitted_size(QSize(*GUIDE_SIZE), room)
    assert height <= room.height() - FRAME.height()


def test_the_editor_takes_most_of_a_large_screen_and_all_a_small_one_has():
    from capture_app.ui.editor.dialog import preferred_size

    large = QRect(0, 0, 2560, 1400)
    assert fitted_size(QSize(*preferred_size(large)), large) == QSize(2176, 1190)
    laptop = QRect(0, 0, 1280, 680)
    assert fitted_size(QSize(*preferred_size(laptop)), laptop) == QSize(1100, 632)
    assert preferred_size(None) == (1100, 760)


def test_on_a_1280x720_laptop_the_wizard_lies_above_the_taskbar(tmp_path):
    for tool in ("Xvfb", "xprop", "xwininfo"):
        assert shutil.which(tool), f"{tool} is missing: `python3 dev.py test` installs it"
    with XServer(1280, 720) as x:
        env = xcb_env(x.display, REPORT_CAPTURE_HOME=str(tmp_path / "home"),
                      REPORT_CAPTURE_SYSTEM_CONFIG=str(tmp_path / "system.toml"))
        subprocess.run(["xprop", "-root", "-format", "_NET_WORKAREA", "32c", "-set",
                        "_NET_WORKAREA", "0, 0, 1280, 680"], env=env, check=True, timeout=20)
        app = subprocess.Popen([sys.executable, "-m", "capture_app", "report"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            found = None
            deadline = time.monotonic() + 60
            while found is None and time.monotonic() < deadline and app.poll() is None:
                tree = subprocess.run(["xwininfo", "-root", "-tree"], env=env, capture_output=True,
                                      text=True, timeout=10).stdout
                found = WIZARD.search(tree)
                time.sleep(0.2)
            assert found, "the wizard never appeared"
            width, height, left, top = map(int, found.groups())
        finally:
            app.terminate()
            _out, err = app.communicate(timeout=20)
    # Smaller than its usual 980×720, and with room for a title bar it ends above the taskbar.
    assert (width, height) == (980, 680 - FRAME.height()), err[-2000:]
    assert left >= 0 and left + width <= 1280
    assert top >= 0 and top + height + FRAME.height() <= 680
