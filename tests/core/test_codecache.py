"""Dataclass code kept between starts behaves exactly like freshly compiled code."""
from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap

import pytest

from capture_app.core import codecache


@pytest.fixture
def cache(tmp_path):
    codecache.install(tmp_path)
    yield tmp_path
    codecache.uninstall()


def make_classes():
    @dataclasses.dataclass(frozen=True)
    class Point:
        """A point."""

        x: int
        y: int = 0
        tags: tuple = ()

    @dataclasses.dataclass
    class Box:
        """A box."""

        name: str
        items: list = dataclasses.field(default_factory=list)
        size: float = dataclasses.field(default=1.0, compare=False)

    return Point, Box


def behaviour(Point, Box) -> list:
    p, box = Point(1, 2, ("a",)), Box("b")
    box.items.append(p)
    out = [repr(p), repr(box), p == Point(1, 2, ("a",)), p == Point(1), hash(p) == hash(Point(1, 2, ("a",))),
           Box("b", [], 2.0) == Box("b", [], 3.0), dataclasses.asdict(box),
           dataclasses.replace(p, y=5)]
    try:
        p.x = 3
    except dataclasses.FrozenInstanceError:
        out.append("frozen")
    return out


def test_cached_code_gives_the_same_classes_as_compiled_code(cache):
    codecache.uninstall()
    plain = behaviour(*make_classes())
    codecache.install(cache)
    first = behaviour(*make_classes())
    assert codecache.compiled_count() > 0 and codecache.save()
    codecache.install(cache)  # as at the next start: read from the file
    again = behaviour(*make_classes())
    assert codecache.compiled_count() == 0  # nothing compiled any more
    assert [str(x) for x in plain] == [str(x) for x in first] == [str(x) for x in again]


def test_a_new_start_compiles_nothing_the_app_needs_for_its_first_window(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        from capture_app.core import codecache
        codecache.install({str(tmp_path)!r})
        import capture_app.core.config, capture_app.core.report, capture_app.core.wizard
        import capture_app.core.triage
        print(codecache.compiled_count())
        codecache.save()
    """)
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           timeout=60, check=True).stdout.strip() for _ in range(2)]
    assert int(runs[0]) > 20 and runs[1] == "0"


@pytest.mark.parametrize("content", [b"", b"not marshal data", b"\x00" * 50])
def test_a_damaged_file_is_ignored_and_written_anew(cache, content):
    (cache / codecache.FILE_NAME).write_bytes(content)
    codecache.install(cache)
    Point, Box = make_classes()
    assert Point(1).x == 1 and codecache.compiled_count() > 0
    assert codecache.save()
    codecache.install(cache)
    make_classes()
    assert codecache.compiled_count() == 0


def test_a_file_from_another_python_is_not_used(cache):
    import importlib.util
    import marshal

    make_classes()
    codecache.save()
    magic, codes = marshal.loads((cache / codecache.FILE_NAME).read_bytes())
    assert magic == importlib.util.MAGIC_NUMBER and codes
    (cache / codecache.FILE_NAME).write_bytes(marshal.dumps((b"\x00\x00\r\n", codes)))
    codecache.install(cache)
    make_classes()
    assert codecache.compiled_count() > 0


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_file_others_may_write_is_not_used(cache):
    import os

    make_classes()
    codecache.save()
    file = cache / codecache.FILE_NAME
    assert file.stat().st_mode & 0o777 == 0o600
    os.chmod(file, 0o666)
    codecache.install(cache)
    make_classes()
    assert codecache.compiled_count() > 0
