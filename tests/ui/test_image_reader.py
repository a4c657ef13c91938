"""Stored attachments have no file name extension: their first bytes tell Qt the format, so
reading a screenshot does not load every image plugin Qt has (and keep them all day)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from capture_app.ui.evidence.images import image_reader, read_image

pytestmark = pytest.mark.gui


def stored(tmp_path, fmt: str) -> str:
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(0x336699)
    path = tmp_path / f"attachment-{fmt}"  # as the draft store keeps them: no extension
    assert image.save(str(path), fmt)
    return str(path)


# A 1×1 GIF (Qt reads GIF but cannot write it).
GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
       b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")


@pytest.mark.parametrize(("fmt", "told"), [("PNG", b"png"), ("JPEG", b"jpeg"), ("BMP", b"bmp"),
                                           ("WEBP", b"webp")])
def test_an_image_without_extension_is_read_in_the_format_its_bytes_name(tmp_path, fmt, told):
    # The format named must be the right one (a wrong one would not read); that it spares Qt
    # its search through every plugin is shown by the /proc/self/maps test below.
    path = stored(tmp_path, fmt)
    assert bytes(image_reader(path).format().data()) == told
    image = read_image(path, max_pixels=10_000)
    assert (image.width(), image.height()) == (64, 48)


@pytest.mark.parametrize(("fmt", "media_type", "magic"), [("JPEG", "image/jpeg", b"\xff\xd8\xff"),
                                                        ("PNG", "image/png", b"\x89PNG")])
def test_a_stored_picture_is_downscaled_in_its_own_format(tmp_path, fmt, media_type, magic):
    from capture_app.ui.sending.sender import scale_image

    target = tmp_path / "scaled"
    assert scale_image(Path(stored(tmp_path, fmt)), target, 0.5) == media_type
    assert target.read_bytes().startswith(magic)
    assert QImage(str(target)).size().toTuple() == (32, 24)


def test_a_gif_without_extension_is_read_as_gif(tmp_path):
    path = tmp_path / "attachment"
    path.write_bytes(GIF)
    assert bytes(image_reader(path).format().data()) == b"gif"
    assert read_image(path, max_pixels=10_000).size().toTuple() == (1, 1)


def test_a_format_it_does_not_sniff_is_left_to_qt_and_still_read(tmp_path):
    assert read_image(stored(tmp_path, "TIFF"), max_pixels=10_000).width() == 64


def test_a_missing_file_says_so_when_it_is_read(tmp_path):
    with pytest.raises(OSError):
        read_image(tmp_path / "gone", max_pixels=10_000)


PLUGINS_AFTER_READING = r"""
import sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication([])
from capture_app.ui.evidence.images import read_image
assert not read_image(sys.argv[1], max_pixels=10**7).isNull()
with open("/proc/self/maps") as maps:
    print(sorted({line.split("/")[-1].strip() for line in maps if "/imageformats/" in line}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
@pytest.mark.parametrize(("fmt", "loaded"), [("PNG", "[]"), ("JPEG", "['libqjpeg.so']")])
def test_reading_a_stored_screenshot_loads_no_other_image_plugin(tmp_path, fmt, loaded):
    """PNG is built into Qt: no plugin at all; a JPEG loads Qt's JPEG plugin only."""
    result = subprocess.run([sys.executable, "-c", PLUGINS_AFTER_READING, stored(tmp_path, fmt)],
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == loaded
