"""The draft store: round trips, listing, attachments, and never losing a draft to a bad file."""
from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from capture_app.core.platform import i18n
from capture_app.core.report import drafts
from capture_app.core.report.drafts import (
    DraftNotFoundError,
    DraftSaveError,
    DraftStore,
    DraftUnreadableError,
)
from capture_app.core.report.model import (
    Description,
    Environment,
    EvidenceItem,
    Occurrence,
    Report,
    Reporter,
    Step,
    SystemInfo,
    Triage,
    new_id,
)

START = datetime(2026, 11, 27, 14, 0, tzinfo=timezone.utc)


class Clock:
    """A clock that moves one second per reading, so every save has its own time."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(app_paths, clock):
    with DraftStore(app_paths, clock=clock) as opened:
        yield opened


def full_report() -> Report:
    """A report with every field set to something other than its default."""
    return Report(
        id=new_id(), schema_version=1, created_at="2026-11-27T13:00:00+00:00",
        updated_at="2026-11-27T13:05:00+00:00", agent_timezone="Europe/Berlin", language="en",
        reporter=Reporter("Anna Agentin", "anna@bank.example", "Bank AG", "+49 30 1234"),
        triage=Triage("second_level", "video_drops", "Kunde besteht darauf",
                      [{"step": "search", "query": "video"}, {"step": "answer", "value": "no"}]),
        summary="Videoberatung bricht ab – „Umlaute“ ✓",
        description=Description(
            affected="both", affected_name="M. Muster", area="Videoberatung",
            url="https://bank.flexperto.com/meeting/4711", what="Bild friert ein",
            steps="1. Start\n2. Warten", expected="läuft", actual="bricht ab", frequency="always",
            affected_users="several", urgency="high",
            case_fields={"old_email": "a@x.example", "new_email": "b@x.example"}),
        occurred=Occurrence("window", "2026-11-27T10:15:00+01:00", "2026-11-27T10:00:00+01:00",
                            "2026-11-27T10:30:00+01:00", "Europe/Berlin", "ungefähr"),
        advisor_environment=Environment("this_machine", True, "laptop", "Windows", "11",
                                        "Chrome", "131", "Mozilla/5.0", "Dock", "outdated",
                                        "Chrome 131 ist veraltet"),
        customer_environment=Environment("this_machine", True, "tablet", "iPadOS", "17.5",
                                         "Safari", "17.5", "Mozilla/5.0 (iPad)", "WLAN", "supported",
                                         "Safari 17.5 wird unterstützt"),
        evidence=[EvidenceItem(new_id(), "screenshot", "bild.png", "image/png", 3, "a" * 64,
                               "Bildschirmfoto 1.png", "Fehler", "2026-11-27T13:01:00+00:00",
                               True, True)],
        system=SystemInfo({"os": "Linux", "cpu": "x86_64"}, ["cpu"]),
        flexperto_instance="https://bank.flexperto.com", meeting_reference="Termin 4711",
        steps=[Step(2, "click", "2026-11-27T13:02:00+00:00", 10, 20, "right", 2, 1, "Portal",
                    "firefox", "Speichern", "Schaltfläche", 3, "Ctrl+C", "Kommentar", new_id())],
    )


def _leaves(value, prefix=""):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, f"{prefix}{key}.")
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        for index, inner in enumerate(value):
            yield from _leaves(inner, f"{prefix}{index}.")
    else:
        yield prefix.rstrip("."), value


def _raw(paths):
    conn = sqlite3.connect(paths.drafts_db, isolation_level=None)
    return conn


def _age(folder: Path, minutes: int) -> None:
    """Make every file under ``folder`` look as if it had been written ``minutes`` earlier (by the
    file system's clock, which stamped it)."""
    for file in folder.rglob("*"):
        then = file.stat().st_mtime - minutes * 60
        os.utime(file, (then, then))


def _quarantined(paths) -> list[Path]:
    folder = paths.quarantine_dir
    return sorted(folder.iterdir()) if folder.is_dir() else []


# --- round trip, listing, delete, duplicate --------------------------------------------------


def test_full_report_fixture_sets_every_field():
    defaults = dict(_leaves(Report(id="x").to_dict()))
    filled = dict(_leaves(full_report().to_dict()))
    unchanged = [key for key, value in defaults.items() if filled.get(key) == value]
    assert unchanged == ["schema_version"]  # the only field with one possible value


def test_save_and_load_round_trip_every_field(store, clock):
    report = full_report()
    created = report.created_at
    assert store.save(report) == 1
    assert report.created_at == created
    assert report.updated_at == "2026-11-27T14:00:01+00:00"  # stamped from the store's clock
    loaded = store.load(report.id)
    assert loaded.to_dict() == report.to_dict()
    assert loaded == report

    report.summary = "geändert"
    assert store.save(report) == 2
    assert store.load(report.id).summary == "geändert"


def test_save_fills_created_at_of_a_bare_report(store):
    report = Report()
    store.save(report)
    assert report.created_at == report.updated_at == "2026-11-27T14:00:01+00:00"


def test_store_uses_wal_full_sync_busy_timeout_and_a_schema_version(store, app_paths):
    conn = store._conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
        str(drafts.STORE_SCHEMA_VERSION),)
    raw = _raw(app_paths)
    with pytest.raises(sqlite3.IntegrityError):
        raw.execute("INSERT INTO reports (id, state, report_json, created_at, updated_at)"
                    " VALUES ('x', 'lost', '{}', '', '')")
    raw.close()


def test_list_drafts_newest_first_with_summary_fields(store):
    first, second, third = full_report(), Report(summary="zweiter"), Report(summary="dritter")
    for report in (first, second, third):
        store.save(report)
    second.summary = "zweiter, geändert"
    store.save(second)  # now the newest

    listed = store.list_drafts()
    assert [entry.id for entry in listed] == [second.id, third.id, first.id]
    top = listed[0]
    assert (top.summary, top.state, top.revision, top.readable) == (
        "zweiter, geändert", "draft", 2, True)
    last = listed[-1]
    assert (last.category, last.evidence_count) == ("second_level", 1)
    assert listed[0].updated_at > listed[1].updated_at > listed[2].updated_at


def test_list_drafts_by_state_and_only_editable_states_can_be_saved(store, app_paths):
    queued, draft = Report(summary="im Postausgang"), Report(summary="Entwurf")
    store.save(queued)
    store.save(draft)
    raw = _raw(app_paths)
    raw.execute("UPDATE reports SET state = 'queued' WHERE id = ?", (queued.id,))
    raw.close()
    assert [e.id for e in store.list_drafts()] == [draft.id]
    assert [e.id for e in store.list_drafts(states=("queued",))] == [queued.id]

    queued.summary = "nachträglich geändert"
    with pytest.raises(DraftSaveError) as caught:
        store.save(queued)
    assert caught.value.key == "drafts.save_not_editable"
    assert "im Postausgang" in caught.value.message()
    assert store.load(queued.id).summary == "im Postausgang"


def test_delete_removes_row_and_attachments(store):
    report = full_report()
    item = report.evidence[0]
    item.size, item.sha256 = store.store_attachment(report.id, item.id, b"png")
    store.save(report)
    folder = store.attachment_dir(report.id)
    assert folder.is_dir()

    store.delete(report.id)
    assert not folder.exists()
    assert store.list_drafts() == []
    with pytest.raises(DraftNotFoundError) as caught:
        store.load(report.id)
    assert report.id in caught.value.message()


def test_duplicate_copies_attachments_under_new_ids(store, clock):
    report = full_report()
    second = dataclasses.replace(report.evidence[0], id=new_id(), filename="log.txt")
    report.evidence.append(second)
    contents = {}
    for index, item in enumerate(report.evidence):
        contents[item.filename] = f"Inhalt {index}".encode() * 1000
        item.size, item.sha256 = store.store_attachment(report.id, item.id,
                                                        contents[item.filename])
    store.save(report)

    copy = store.duplicate(report.id)
    assert copy.id != report.id
    assert copy.created_at == copy.updated_at and copy.created_at > report.updated_at
    assert copy.summary == report.summary and copy.description == report.description
    assert {i.id for i in copy.evidence}.isdisjoint({i.id for i in report.evidence})
    assert [i.filename for i in copy.evidence] == [i.filename for i in report.evidence]
    for item in copy.evidence:
        data = store.attachment_path(copy.id, item.id).read_bytes()
        assert data == contents[item.filename]
        assert item.sha256 == hashlib.sha256(data).hexdigest() and item.size == len(data)
    assert store.load(copy.id) == copy
    # The copy is independent: deleting it leaves the original and its files alone.
    store.delete(copy.id)
    for item in report.evidence:
        assert store.attachment_path(report.id, item.id).read_bytes() == contents[item.filename]
    assert store.load(report.id) == report


def test_duplicate_without_an_attachment_file_says_so(store):
    report = full_report()
    store.save(report)  # the item's file was never stored
    copy = store.duplicate(report.id)
    assert copy.evidence == []
    [notice] = store.take_notices()
    assert notice.key == "drafts.duplicate_attachment_missing" and "bild.png" in notice.message()


# --- attachments -----------------------------------------------------------------------------


def test_store_attachment_from_bytes_and_path_is_atomic_with_correct_hash(store, tmp_path):
    report_id, item_id = new_id(), new_id()
    data = os.urandom(3 * 1024 * 1024 + 17)  # several copy chunks
    source = tmp_path / "Meine Datei (1).png"
    source.write_bytes(data)

    size, sha = store.store_attachment(report_id, item_id, source)
    target = store.attachment_path(report_id, item_id)
    assert (size, sha) == (len(data), hashlib.sha256(data).hexdigest())
    assert target.read_bytes() == data
    assert target.name == item_id  # never the agent's file name
    assert sorted(p.name for p in target.parent.iterdir()) == [item_id]  # no temp left over

    assert store.store_attachment(report_id, item_id, b"neu") == (
        3, hashlib.sha256(b"neu").hexdigest())
    assert target.read_bytes() == b"neu"
    store.remove_attachment(report_id, item_id)
    store.remove_attachment(report_id, item_id)  # already gone: fine
    assert not target.exists()


def test_store_attachment_failure_keeps_old_file_and_leaves_no_temp(store, monkeypatch):
    report_id, item_id = new_id(), new_id()
    store.store_attachment(report_id, item_id, b"alt")

    def full_disk(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(drafts.os, "fsync", full_disk)
    with pytest.raises(DraftSaveError) as caught:
        store.store_attachment(report_id, item_id, b"neu" * 1000)
    monkeypatch.undo()
    assert caught.value.key == "drafts.attachment_disk_full"
    assert "kein Platz" in caught.value.message()
    folder = store.attachment_dir(report_id)
    assert [p.name for p in folder.iterdir()] == [item_id]
    assert store.attachment_path(report_id, item_id).read_bytes() == b"alt"


def test_store_attachment_unreadable_source(store, tmp_path):
    with pytest.raises(DraftSaveError) as caught:
        store.store_attachment(new_id(), new_id(), tmp_path / "verschwunden.pdf")
    assert caught.value.key == "drafts.attachment_source_unreadable"
    assert "verschwunden.pdf" in caught.value.message()


@pytest.mark.parametrize("bad", ["../etwas", "a/b", "", ".versteckt", "x" * 200])
def test_ids_never_become_paths(store, bad):
    with pytest.raises(ValueError):
        store.attachment_path(bad, new_id())
    with pytest.raises(ValueError):
        store.attachment_path(new_id(), bad)


def test_collect_garbage_removes_only_old_unreferenced_files(store, app_paths, clock):
    kept, gone = full_report(), full_report()
    for report in (kept, gone):
        item = report.evidence[0]
        item.size, item.sha256 = store.store_attachment(report.id, item.id, b"x")
        store.save(report)
    orphan = store.attachment_path(kept.id, new_id())
    orphan.write_bytes(b"alt")
    stale_temp = store.attachment_dir(kept.id) / f".{new_id()}.abc.tmp"
    stale_temp.write_bytes(b"halb")
    foreign = store.attachment_dir(kept.id) / "notiz.txt"
    foreign.write_bytes(b"nicht von uns")
    store.delete(gone.id)
    gone_folder = store.attachment_dir(gone.id)
    gone_folder.mkdir()
    store.attachment_path(gone.id, new_id()).write_bytes(b"nach Absturz")
    pending = store.attachment_path(new_id(), new_id())  # stored, report not yet saved
    pending.parent.mkdir()
    pending.write_bytes(b"gerade eben")
    after_crash = list(gone_folder.iterdir())

    assert store.collect_garbage() == []  # everything is younger than a minute

    _age(app_paths.attachments_dir, minutes=2)
    removed = set(store.collect_garbage())
    assert removed == {orphan, stale_temp, *after_crash, pending}
    assert not gone_folder.exists() and not pending.parent.exists()
    assert store.attachment_path(kept.id, kept.evidence[0].id).read_bytes() == b"x"
    assert foreign.exists()


# --- damaged database ------------------------------------------------------------------------


def _fill_store(paths, count=40) -> list[Report]:
    reports = []
    with DraftStore(paths) as filling:
        for index in range(count):
            report = full_report()
            report.description.what = f"Eintrag {index} " + "x" * 3000
            filling.save(report)
            reports.append(report)
    return reports


def _assert_set_aside(store, paths, original: bytes):
    [notice] = store.take_notices()
    assert notice.key == "drafts.db_set_aside"
    [moved] = [p for p in _quarantined(paths) if p.suffix == ".sqlite3"]
    assert moved.read_bytes() == original
    german = notice.message()
    assert str(moved) in german and "IT" in german and "beiseitegelegt" in german
    assert "⟦" not in german and "⟦" not in notice.message("en")
    assert str(moved) in notice.message("en")
    # The fresh store works and the next start is quiet.
    assert store.list_drafts() == []
    report = Report(summary="neu")
    store.save(report)
    store.close()
    with DraftStore(paths) as again:
        assert again.notices == []
        assert [e.id for e in again.list_drafts()] == [report.id]
    return moved


def test_garbage_database_is_set_aside_and_the_store_starts_empty(app_paths):
    app_paths.data_dir.mkdir(parents=True)
    garbage = b"Das ist keine Datenbank\x00\xff" * 300
    app_paths.drafts_db.write_bytes(garbage)
    wal = app_paths.drafts_db.with_name(app_paths.drafts_db.name + "-wal")
    wal.write_bytes(b"wal-rest")

    store = DraftStore(app_paths)
    moved = _assert_set_aside(store, app_paths, garbage)
    moved_wal = moved.with_name(moved.name + "-wal")
    assert moved_wal.read_bytes() == b"wal-rest"


def test_truncated_database_is_set_aside(app_paths):
    _fill_store(app_paths)
    original = app_paths.drafts_db.read_bytes()
    assert len(original) > 100_000
    truncated = original[: len(original) // 2]
    app_paths.drafts_db.write_bytes(truncated)

    store = DraftStore(app_paths)
    _assert_set_aside(store, app_paths, truncated)


def test_damaged_page_found_by_quick_check_is_set_aside(app_paths):
    _fill_store(app_paths)
    data = bytearray(app_paths.drafts_db.read_bytes())
    page = 4096
    data[page * 3: page * 5] = os.urandom(page * 2)  # b-tree pages in the middle
    app_paths.drafts_db.write_bytes(bytes(data))

    store = DraftStore(app_paths)
    _assert_set_aside(store, app_paths, bytes(data))


def test_wal_without_its_database_is_set_aside_not_replayed(app_paths):
    app_paths.data_dir.mkdir(parents=True)
    wal = app_paths.drafts_db.with_name(app_paths.drafts_db.name + "-wal")
    wal.write_bytes(b"commits nobody checkpointed" * 10)
    with DraftStore(app_paths) as store:
        [notice] = store.take_notices()
        assert notice.reason_key == "drafts.reason_leftover"
        [moved] = _quarantined(app_paths)
        assert moved.read_bytes() == b"commits nobody checkpointed" * 10
        assert str(moved) in notice.message()
        assert store.list_drafts() == []


def test_foreign_and_newer_databases_are_set_aside_not_used(app_paths):
    app_paths.data_dir.mkdir(parents=True)
    conn = sqlite3.connect(app_paths.drafts_db)
    conn.execute("CREATE TABLE kunden (name TEXT)")
    conn.commit()
    conn.close()
    store = DraftStore(app_paths)
    [notice] = store.take_notices()
    assert notice.reason_key == "drafts.reason_foreign"
    store.close()

    raw = _raw(app_paths)
    raw.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    raw.close()
    store = DraftStore(app_paths)
    [notice] = store.take_notices()
    assert notice.reason_key == "drafts.reason_newer" and "99" in notice.message()
    store.close()
    assert len([p for p in _quarantined(app_paths) if p.suffix == ".sqlite3"]) == 2


def test_locked_database_is_not_mistaken_for_a_damaged_one(app_paths, store):
    report = Report(summary="bleibt")
    store.save(report)
    holder = sqlite3.connect(app_paths.drafts_db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")  # another program holds the lock
    release = threading.Timer(0.3, holder.execute, ("COMMIT",))
    release.start()
    started = time.monotonic()
    report.summary = "nach dem Warten"
    assert store.save(report) == 2  # waited for the lock instead of failing
    assert time.monotonic() - started >= 0.2
    release.join()
    holder.close()
    with DraftStore(app_paths) as second:
        assert second.notices == [] and second.load(report.id).summary == "nach dem Warten"


def test_two_instances_and_a_worker_thread_share_the_store(store, app_paths):
    mine, theirs = Report(summary="Fenster 1"), Report(summary="Fenster 2")
    worker = threading.Thread(target=store.save, args=(mine,))
    worker.start()
    worker.join()
    with DraftStore(app_paths) as second:
        second.save(theirs)
        assert {e.id for e in second.list_drafts()} == {mine.id, theirs.id}
    assert {e.id for e in store.list_drafts()} == {mine.id, theirs.id}


# --- damaged rows ----------------------------------------------------------------------------


def test_unreadable_rows_are_listed_set_aside_and_do_not_hide_the_others(store, app_paths):
    good_one, good_two = Report(summary="gut 1"), Report(summary="gut 2")
    store.save(good_one)
    broken_json, wrong_shape = new_id(), new_id()
    raw = _raw(app_paths)
    for report_id, data, summary in (
        (broken_json, '{"id": "' + broken_json + '", "summary": "abgeschn', "Abgeschnitten"),
        (wrong_shape, json.dumps({"id": wrong_shape, "triage": "kaputt"}), "Falsche Form"),
    ):
        raw.execute("INSERT INTO reports (id, report_json, summary, category, created_at,"
                    " updated_at) VALUES (?, ?, ?, 'first_level', '', ?)",
                    (report_id, data, summary, "2026-11-27T14:00:00.000000+00:00"))
    raw.close()
    store.save(good_two)

    listed = store.list_drafts()
    assert [e.id for e in listed[:2]] == [good_two.id, good_one.id]
    by_id = {e.id: e for e in listed}
    assert set(by_id) == {good_one.id, good_two.id, broken_json, wrong_shape}
    assert by_id[good_one.id].readable and by_id[good_two.id].readable
    bad = by_id[broken_json]
    assert not bad.readable and bad.summary == "Abgeschnitten" and bad.category == "first_level"
    assert bad.set_aside_path.read_text(encoding="utf-8").endswith('"abgeschn')
    assert not by_id[wrong_shape].readable

    notices = store.take_notices()
    assert sorted(n.params["id"] for n in notices) == sorted([broken_json, wrong_shape])
    for notice in notices:
        text = notice.message()
        assert notice.params["id"] in text and notice.params["path"] in text and "IT" in text
        assert "⟦" not in text and "⟦" not in notice.message("en")
    store.list_drafts()
    assert store.notices == []  # told once, copied once

    with pytest.raises(DraftUnreadableError) as caught:
        store.load(broken_json)
    assert "Abgeschnitten" in caught.value.message()
    store.delete(broken_json)  # the agent can still get rid of it; the copy stays
    assert bad.set_aside_path.exists()
    assert {e.id for e in store.list_drafts()} == {good_one.id, good_two.id, wrong_shape}


def test_collect_garbage_keeps_files_of_unreadable_reports(store, app_paths, clock):
    report = full_report()
    item = report.evidence[0]
    store.store_attachment(report.id, item.id, b"wertvoll")
    store.save(report)
    raw = _raw(app_paths)
    raw.execute("UPDATE reports SET report_json = '{kaputt' WHERE id = ?", (report.id,))
    raw.close()
    _age(app_paths.attachments_dir, minutes=60)
    assert store.collect_garbage() == []
    assert store.attachment_path(report.id, item.id).read_bytes() == b"wertvoll"


# --- full disk -------------------------------------------------------------------------------


def test_full_disk_on_save_keeps_the_previous_version(store):
    report = full_report()
    report.description.what = "gespeichert"
    store.save(report)
    conn = store._conn
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full from now on

    report.description.what = "neu " * 50_000
    with pytest.raises(DraftSaveError) as caught:
        store.save(report)
    assert caught.value.key == "drafts.save_disk_full"
    german = caught.value.message()
    assert "kein Platz" in german and "zuletzt gespeicherte Fassung" in german
    assert "disk is full" in caught.value.message("en")
    loaded = store.load(report.id)
    assert loaded.description.what == "gespeichert"
    assert store.list_drafts()[0].revision == 1

    conn.execute("PRAGMA max_page_count = 1073741823")  # space freed: autosave goes on
    assert store.save(report) == 2
    assert store.load(report.id).description.what == report.description.what


def test_new_draft_on_full_disk_is_not_half_stored(store):
    store._conn.execute("PRAGMA max_page_count = 1")
    report = full_report()
    report.summary = "x" * 200_000
    with pytest.raises(DraftSaveError):
        store.save(report)
    assert store.list_drafts() == []


# --- texts and layering ----------------------------------------------------------------------


def test_catalogues_have_the_same_keys_and_placeholders():
    german = {k: v for k, v in i18n.catalogue("de").items() if k.startswith("drafts.")}
    english = {k: v for k, v in i18n.catalogue("en").items() if k.startswith("drafts.")}
    assert german.keys() == english.keys()
    for key, text in german.items():
        assert i18n.placeholders(text) == i18n.placeholders(english[key]), key
    source = Path(drafts.__file__).read_text(encoding="utf-8")
    import re

    used = set(re.findall(r'"(drafts\.[a-z_]+)"', source))
    used |= {f"{prefix}_{end}" for prefix in ("drafts.save", "drafts.write")
             for end in ("disk_full", "busy", "failed")}
    used |= {f"drafts.state_{state}" for state in drafts.STATES}
    used -= {"drafts.save", "drafts.write"}  # prefixes of the keys above
    assert used <= german.keys()


def test_core_drafts_does_not_import_qt():
    code = ("import sys, capture_app.core.report.drafts; "
            "print(any(m.startswith('PySide6') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
