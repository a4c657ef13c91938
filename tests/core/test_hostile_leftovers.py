"""What killed bundle builds, exports and imports leave behind is removed at the next start."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from capture_app.core.platform.fsutil import remove_killed_run_leftovers

ROOT = Path(__file__).parents[2]


def _age(path: Path, seconds: float) -> None:
    old = time.time() - seconds
    os.utime(path, (old, old))


def _kill_during_export(bundle: Path, folder: Path) -> None:
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from capture_app.core.report.model import Report\n"
        "from capture_app.core.sending.transports.export import ExportTransport\n"
        "def progress(done, total):\n"
        "    if done:\n"
        "        print('copying', flush=True); time.sleep(60)\n"
        f"ExportTransport({str(folder)!r}).send(Path({str(bundle)!r}), Report.new(), progress)\n")
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                             cwd=ROOT)
    try:
        assert child.stdout.readline().strip() == "copying"
        child.kill()
    finally:
        child.wait(30)


def test_a_killed_export_leaves_a_temporary_file_that_the_next_start_removes(tmp_path):
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(os.urandom(3 * 1024 * 1024))
    export = tmp_path / "export"
    export.mkdir()
    (export / "meldung.zip").write_bytes(b"an earlier export")
    _kill_during_export(bundle, export)
    left = [p for p in export.iterdir() if p.name.startswith(".report-export.")]
    assert len(left) == 1

    outbox = tmp_path / "outbox"
    outbox.mkdir()
    (outbox / "4f2c.zip").write_bytes(b"a finished bundle")
    fd, half = tempfile.mkstemp(prefix=".4f2c.zip.", suffix=".tmp", dir=outbox)
    os.close(fd)
    temp = tmp_path / "temp"
    work = temp / "report-capture-har-abc123"
    work.mkdir(parents=True)
    (work / ".netz.har.x1.tmp").write_text("{", encoding="utf-8")
    (temp / "someone-elses-file.tmp").write_text("x", encoding="utf-8")

    # A run still writing (fresh files) keeps its files.
    assert remove_killed_run_leftovers(outbox, [export], temp) == 0
    for path in (left[0], Path(half), work):
        _age(path, 3600)
    assert remove_killed_run_leftovers(outbox, [export, export], temp) == 3
    assert sorted(p.name for p in export.iterdir()) == ["meldung.zip"]
    assert sorted(p.name for p in outbox.iterdir()) == ["4f2c.zip"]
    assert sorted(p.name for p in temp.iterdir()) == ["someone-elses-file.tmp"]
