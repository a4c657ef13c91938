"""The draft store under faults: its file deleted while the app runs, a full disk at start,
files a failed start left read-only, broken Unicode in a report."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from capture_app.core.platform.paths import AppPaths
from capture_app.core.report.drafts import DraftStore, DraftStoreUnavailableError
from capture_app.core.report.model import Report

ROOT = Path(__file__).parents[2]


def _report(summary: str) -> Report:
    report = Report.new(language="de")
    report.summary = summary
    return report


@pytest.mark.parametrize("what", ["file", "file and companions"])
def test_a_database_deleted_while_the_app_runs_is_recreated_with_every_draft(app_paths, what):
    store = DraftStore(app_paths)
    first = _report("Kalender synchronisiert nicht")
    store.save(first)
    db = app_paths.drafts_db
    for suffix in ("", "-wal", "-shm") if what != "file" else ("",):
        Path(str(db) + suffix).unlink(missing_ok=True)
    second = _report("Upload für E-Signatur schlägt fehl")
    store.save(second)
    notices = store.take_notices(("drafts.db_recreated",))
    assert [n.key for n in notices] == ["drafts.db_recreated"]
    text = notices[0].message("de")
    assert str(db) in text and "neu angelegt" in text
    store.close()
    assert db.is_file()
    with DraftStore(app_paths) as reopened:  # the next start
        assert {d.summary for d in reopened.list_drafts()} == {first.summary, second.summary}


def test_lone_surrogates_in_a_report_do_not_break_this_or_later_saves(app_paths):
    store = DraftStore(app_paths)
    report = _report("Fehler \ud83d beim Hochladen")
    report.description.what = "Text mit \udc00 kaputtem Zeichen"
    store.save(report)
    report.description.steps = "weiter"
    assert store.save(report) == 2
    loaded = store.load(report.id)
    assert loaded.summary == "Fehler \ufffd beim Hochladen"
    assert loaded.description.what == "Text mit \ufffd kaputtem Zeichen"
    assert [d.summary for d in store.list_drafts()] == ["Fehler \ufffd beim Hochladen"]
    store.close()


def _tiny_full_disk(folder: Path) -> Path:
    folder.mkdir(parents=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"a small file system cannot be mounted here ({done.stderr.strip()})")
    (folder / "data").mkdir()
    filler = folder / "filler"
    try:
        with open(filler, "wb", buffering=0) as handle:
            while True:
                handle.write(b"\0" * 4096)
    except OSError:
        pass
    return folder


def test_a_full_disk_at_start_is_reported_as_a_full_disk(tmp_path):
    disk = tmp_path / "disk"
    try:
        _tiny_full_disk(disk)
        paths = AppPaths(data_dir=disk / "data", config_dir=tmp_path / "config",
                         system_config_file=tmp_path / "sys.toml")
        with pytest.raises(DraftStoreUnavailableError) as caught:
            DraftStore(paths)
        assert caught.value.key == "drafts.db_disk_full"
        message = caught.value.message("de")
        assert "kein Platz" in message and str(disk / "data") in message
        assert "Zugriffsrechte" not in message
    finally:
        subprocess.run(["umount", str(disk)], check=False)


# --- files a failed start left read-only ---------------------------------------------------------

_CHILD = """
import sys
from pathlib import Path
from capture_app.core.report.drafts import DraftStore, DraftStoreUnavailableError
from capture_app.core.platform.paths import AppPaths
from capture_app.core.report.model import Report
root = Path(sys.argv[1])
paths = AppPaths(data_dir=root / "data", config_dir=root / "config",
                 system_config_file=root / "sys.toml")
try:
    with DraftStore(paths) as store:
        if sys.argv[2] == "save":
            report = Report.new(language="de"); report.summary = "Probe"; store.save(report)
        print("OK", len(store.list_drafts()))
except DraftStoreUnavailableError as exc:
    print("REFUSED", exc.message("de"))
"""


def _as_agent(root: Path, action: str) -> str:
    """Run the store as the agent does: a process file permissions apply to. As root, root's
    privileges are taken away (setpriv, an empty capability bounding set) — dropping to another
    user would fail where the checkout lies in root's own home, as on a stock Debian."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) is missing: python3 dev.py test installs it"
        prefix = [setpriv, "--bounding-set=-all", "--inh-caps=-all", "--ambient-caps=-all",
                  "--no-new-privs"]
    done = subprocess.run([*prefix, sys.executable, "-c", _CHILD, str(root), action],
                          capture_output=True, text=True, cwd=ROOT, timeout=60,
                          env={**os.environ, "HOME": str(root)})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def agent_root():
    """A data folder the agent owns, with one saved draft in it."""
    root = Path(tempfile.mkdtemp(prefix="drafts-perm-"))
    try:
        assert _as_agent(root, "save") == "OK 1"
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_companions_a_failed_start_left_read_only_are_named_and_repaired(agent_root):
    db = agent_root / "data" / "reports.sqlite3"
    assert db.is_file()
    os.chmod(db, 0o444)  # the agent's IT made the file read-only by mistake
    first = _as_agent(agent_root, "list")
    os.chmod(db, 0o644)  # … and fixed it again
    for companion in (Path(str(db) + s) for s in ("-wal", "-shm")):
        if companion.exists():
            os.chmod(companion, 0o444)  # what the failed start left behind
    second = _as_agent(agent_root, "save")
    assert second == "OK 2", (first, second)


def test_read_only_companions_are_named_when_they_cannot_be_repaired(agent_root):
    if os.geteuid() != 0:
        pytest.skip("needs a file owned by another user, which only root can create")
    wal = agent_root / "data" / "reports.sqlite3-wal"
    wal.write_bytes(b"")
    os.chmod(wal, 0o444)
    os.chown(wal, 65534, 65534)  # someone else's file: the agent cannot change its permissions
    answer = _as_agent(agent_root, "save")
    assert answer.startswith("REFUSED")
    assert str(wal) in answer and "schreibgeschützt" in answer
