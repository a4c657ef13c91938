"""The outbox: states and transitions in the draft store's SQLite file, leases, retention."""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sendhelpers.http_server import Status, TicketServer
from sendhelpers.reports import paths_for, stored_report

from capture_app.core.platform.secrets import Secret
from capture_app.core.report.drafts import DraftSaveError, DraftStore
from capture_app.core.sending.outbox import (
    FIX_EDIT,
    LEASE_SECONDS,
    Outbox,
    OutboxError,
    backoff_delay,
    column_time,
)
from capture_app.core.sending.service import OutboxSender
from capture_app.core.sending.transports.base import Receipt, TemporaryTransportError
from capture_app.core.sending.transports.http import HttpSettings, HttpTransport

CHILD = Path(__file__).with_name("outbox_child.py")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(tmp_path, clock):
    with DraftStore(paths_for(tmp_path), clock=clock) as draft_store:
        yield draft_store


@pytest.fixture
def outbox(store, clock):
    with Outbox(store, clock=clock, rng=random.Random(1)) as box:
        yield box


def http(url: str, clock=None) -> HttpTransport:
    return HttpTransport(HttpSettings(endpoint=url, connect_timeout=3, read_timeout=5), Secret("t0ken"),
                         **({"clock": clock} if clock else {}))


def receipt(reference="T-1") -> Receipt:
    return Receipt("http", "https://tickets.example.com", "2026-11-27T09:00:00+00:00", reference,
                   "a" * 64, 10)


# --- transitions -----------------------------------------------------------------------------


def test_queuing_freezes_the_report_and_takes_it_out_of_the_drafts(store, outbox):
    report = stored_report(store)
    outbox.enqueue(report.id)

    assert store.list_drafts() == []
    assert [s.state for s in store.list_drafts(("queued",))] == ["queued"]
    report.summary = "geändert"
    with pytest.raises(DraftSaveError) as caught:
        store.save(report)  # what is sent is what was reviewed
    assert caught.value.key == "drafts.save_not_editable"
    [item] = outbox.items()
    assert (item.state, item.attempts, item.error, item.receipt) == ("queued", 0, None, None)
    assert outbox.queued_count() == 1
    with pytest.raises(OutboxError) as again:
        outbox.enqueue(report.id)
    assert again.value.key == "sending.outbox.already_queued"


def test_queuing_a_report_changed_since_review_is_refused(store, outbox):
    report = stored_report(store)
    revision = store.save(report)
    store.save(report)  # an autosave after the review
    with pytest.raises(OutboxError) as caught:
        outbox.enqueue(report.id, expected_revision=revision)
    assert caught.value.key == "sending.outbox.changed"
    assert "noch einmal" in caught.value.message()
    assert [s.state for s in store.list_drafts()] == ["draft"]


def test_a_claimed_report_is_sending_and_nobody_else_can_claim_it(store, outbox, clock):
    report = stored_report(store)
    outbox.enqueue(report.id)
    other = Outbox(store, clock=clock)
    try:
        claim = outbox.claim()
        assert claim.report_id == report.id and claim.attempts == 1
        assert outbox.state(report.id) == "sending"
        assert other.claim() is None  # the owner (this process) is alive and the lease runs
        with pytest.raises(OutboxError):
            outbox.delete(report.id)
        clock.now += timedelta(seconds=LEASE_SECONDS + 1)  # the owner stopped renewing
        taken = other.claim()
        assert taken.report_id == report.id and taken.attempts == 2
        assert outbox.complete(claim, receipt("T-late")).state == "sent"  # it did get through
        assert other.fail(taken, TemporaryTransportError("x")).state == "lost"
    finally:
        other.close()
    assert outbox.state(report.id) == "sent"
    assert outbox.receipt(report.id).reference == "T-late"


def test_renewing_keeps_the_lease(store, outbox, clock):
    report = stored_report(store)
    outbox.enqueue(report.id)
    claim = outbox.claim()
    other = Outbox(store, clock=clock)
    try:
        for _ in range(5):
            clock.now += timedelta(seconds=LEASE_SECONDS * 0.6)
            assert outbox.renew(claim)
            assert other.claim() is None
    finally:
        other.close()


def test_a_lease_of_a_dead_process_is_taken_over_at_once(store, outbox, tmp_path):
    report = stored_report(store)
    outbox.enqueue(report.id)
    code = ("import sys, time; sys.path.insert(0, sys.argv[2]);"
            "from capture_app.core.report.drafts import DraftStore; from capture_app.core.sending.outbox import Outbox;"
            "from sendhelpers.reports import paths_for;"
            "s = DraftStore(paths_for(sys.argv[1])); o = Outbox(s); c = o.claim();"
            "print('claimed' if c else 'none', flush=True); time.sleep(60)")
    child = subprocess.Popen([sys.executable, "-c", code, str(tmp_path), str(CHILD.parent.parent)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "claimed"
        assert outbox.claim() is None  # alive: its lease is respected
        child.send_signal(signal.SIGKILL)
        child.wait()
        claim = outbox.claim()
        assert claim is not None and claim.report_id == report.id
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()


def test_a_temporary_failure_waits_with_growing_jittered_backoff(store, outbox, clock):
    report = stored_report(store)
    outbox.enqueue(report.id)
    waits = []
    for _ in range(8):
        claim = outbox.claim()
        outcome = outbox.fail(claim, TemporaryTransportError("sending.http.unreachable", url="u"))
        waits.append((outcome.next_attempt_at - clock.now).total_seconds())
        assert outbox.claim() is None  # not due yet
        clock.now = outcome.next_attempt_at
    ceilings = [min(3600, 30 * 2 ** n) for n in range(8)]
    assert all(c / 2 <= w <= c for w, c in zip(waits, ceilings, strict=True))
    assert waits[-1] >= 1800  # capped at an hour, still spread
    rng = random.Random(5)
    spread = {round(backoff_delay(3, None, rng), 3) for _ in range(20)}
    assert len(spread) > 10  # jitter: many agents do not retry at the same instant


def test_a_permanent_failure_needs_attention_and_retry_queues_it_again(store, outbox, clock, tmp_path):
    report = stored_report(store)
    outbox.enqueue(report.id)
    with TicketServer() as server:
        server.script.append(Status(422, {}, b'{"message": "requester unknown"}'))
        sender = OutboxSender(outbox, lambda: http(server.url))
        assert sender.send_next().state == "needs_attention"
        assert sender.send_next() is None
        # The agent edits the report (needs attention is editable) and retries.
        loaded = store.load(report.id)
        loaded.description.what += " Nachtrag."
        store.save(loaded)
        outbox.retry(report.id)
        outcome = sender.send_next()
        assert outcome.state == "sent"
        first, second = server.posts()
        assert first.sha256 != second.sha256  # the bundle was rebuilt with the edit
    [item] = outbox.items()
    assert item.state == "sent" and item.error is None and item.attempts == 2


def test_a_missing_evidence_file_needs_attention_with_the_edit_fix(store, outbox):
    report = stored_report(store)
    os.unlink(store.attachment_path(report.id, report.evidence[0].id))
    outbox.enqueue(report.id)
    with TicketServer() as server:
        outcome = OutboxSender(outbox, lambda: http(server.url)).send_next()
        assert server.posts() == []
    assert outcome.state == "needs_attention"
    [item] = outbox.items()
    assert item.error.fix == FIX_EDIT and "bildschirm.png" in item.error.message()


def test_to_draft_and_delete(store, outbox):
    first, second = stored_report(store, summary="eins"), stored_report(store, summary="zwei")
    outbox.enqueue(first.id)
    outbox.enqueue(second.id)
    outbox.to_draft(first.id)
    assert [d.id for d in store.list_drafts()] == [first.id]
    first.summary = "bearbeitet"
    store.save(first)  # editable again
    outbox.delete(second.id)
    assert outbox.items() == [] and not store.attachment_dir(second.id).exists()


def test_a_report_that_cannot_be_read_is_set_to_needs_attention(store, outbox):
    report = stored_report(store)
    outbox.enqueue(report.id)
    store._conn.execute("UPDATE reports SET report_json = '{broken' WHERE id = ?", (report.id,))
    assert outbox.claim() is None
    [item] = outbox.items()
    assert item.state == "needs_attention" and "nicht gelesen" in item.error.message()


def test_recover_queues_reports_whose_sender_died(store, outbox, clock):
    report = stored_report(store)
    outbox.enqueue(report.id)
    store._conn.execute("UPDATE reports SET state = 'sending' WHERE id = ?", (report.id,))
    store._conn.execute("UPDATE outbox SET lease_owner = ?, lease_expires_at = ? WHERE report_id = ?",
                        (f"{os.uname().nodename}/999999999/dead", "2999-01-01T00:00:00+00:00",
                         report.id))
    assert outbox.recover() == [report.id]
    assert outbox.state(report.id) == "queued"


# --- retention --------------------------------------------------------------------------------


def test_sent_reports_local_data_is_deleted_after_the_retention_but_the_receipt_stays(
        store, outbox, clock):
    report = stored_report(store)
    outbox.enqueue(report.id)
    with TicketServer() as server:
        OutboxSender(outbox, lambda: http(server.url, clock)).send_next()  # sent "now" by the test's clock
    assert outbox.bundle_path(report.id).exists()
    attachments = store.attachment_dir(report.id)
    assert attachments.exists()

    clock.now += timedelta(days=29)
    assert outbox.purge_sent(30) == []
    clock.now += timedelta(days=2)
    assert outbox.purge_sent(30) == [report.id]

    assert not attachments.exists() and not outbox.bundle_path(report.id).exists()
    assert store.list_drafts(("draft", "queued", "sending", "sent", "needs_attention")) == []
    [item] = outbox.items()
    assert item.state == "sent" and item.local_data_deleted
    assert item.receipt.reference == "T-1001" and item.summary == report.summary
    outbox.forget_receipt(report.id)
    assert outbox.items() == []


def test_the_agent_can_delete_a_sent_reports_data_earlier(store, outbox):
    report = stored_report(store)
    outbox.enqueue(report.id)
    claim = outbox.claim()
    outbox.complete(claim, receipt())
    outbox.delete(report.id)
    [item] = outbox.items()
    assert item.local_data_deleted and item.receipt.reference == "T-1"
    assert not store.attachment_dir(report.id).exists()


# --- robustness --------------------------------------------------------------------------------


def test_a_full_disk_while_queuing_leaves_the_outbox_as_it_was(store, outbox):
    reports = [stored_report(store, summary=f"Bericht {n}", with_evidence=False) for n in range(150)]
    conn = outbox._conn
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full from now on
    queued, refused = [], None
    for report in reports:
        try:
            outbox.enqueue(report.id)
        except OutboxError as exc:
            refused = (report, exc)
            break
        queued.append(report.id)
    assert refused is not None, "the database never filled up"
    report, exc = refused
    assert exc.key == "sending.outbox.disk_full"
    assert "kein Platz" in exc.message() and "unverändert" in exc.message()
    conn.execute("PRAGMA max_page_count = 1073741823")
    assert {i.report_id for i in outbox.items()} == set(queued)
    assert store.load(report.id).summary == report.summary
    assert report.id in {d.id for d in store.list_drafts()}  # still a draft, not half-queued
    outbox.enqueue(report.id)  # space freed: queuing works again
    assert outbox.state(report.id) == "queued"


@pytest.mark.skipif(os.geteuid() != 0 if hasattr(os, "geteuid") else True,
                    reason="mounting a small tmpfs needs root")
def test_a_really_full_disk_while_queuing(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], check=True)
    try:
        paths = paths_for(mount)
        with DraftStore(paths) as store, Outbox(store) as outbox:
            first = stored_report(store, summary="zuerst")
            outbox.enqueue(first.id)
            second = stored_report(store, summary="danach")
            filler = mount / "data" / "filler.bin"
            with open(filler, "wb", buffering=0) as handle:  # take every byte that is left
                try:
                    while True:
                        handle.write(b"\0" * 4096)
                except OSError:
                    pass
            with pytest.raises(OutboxError) as caught:
                for _ in range(500):  # the write-ahead log grows until the disk refuses
                    outbox.enqueue(second.id)
                    outbox.to_draft(second.id)
            assert caught.value.key == "sending.outbox.disk_full"
            assert "kein Platz" in caught.value.message()
            states = {i.report_id: i.state for i in outbox.items()}
            assert states[first.id] == "queued"
            # The refused transition left the second report whole: a draft, or queued with its row.
            second_state = outbox.state(second.id)
            assert second_state in ("draft", "queued")
            assert (second.id in states) == (second_state == "queued")
        filler.unlink()
        with DraftStore(paths) as store, Outbox(store) as outbox:
            assert outbox.state(first.id) == "queued"
            assert store.load(first.id).summary == "zuerst"
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _spawn(root: Path, url: str, until: str, max_seconds: float = 60) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(CHILD), str(root), url, str(max_seconds), until],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


def test_two_app_instances_never_send_a_report_twice(tmp_path):
    with DraftStore(paths_for(tmp_path)) as store, Outbox(store) as outbox:
        ids = [stored_report(store, summary=f"Bericht {n}").id for n in range(24)]
        for report_id in ids:
            outbox.enqueue(report_id)
    with TicketServer(keep_bodies=False) as server:
        server.answer_delay = lambda: 0.01
        children = [_spawn(tmp_path, server.url, "empty") for _ in range(2)]
        try:
            for child in children:
                assert child.stdout.readline().strip() == "ready", child.stderr.read()
            for child in children:
                child.stdin.write("go\n")
                child.stdin.flush()
            outputs = [child.communicate(timeout=120) for child in children]
        finally:
            for child in children:
                if child.poll() is None:
                    child.kill()
                    child.wait()
        for _out, err in outputs:
            assert "Traceback" not in err, err
        sent_by = [[line.split()[1] for line in out.splitlines() if line.startswith("sent ")]
                   for out, _ in outputs]
        posts = server.posts()
    assert sorted(sent_by[0] + sent_by[1]) == sorted(ids)
    assert sent_by[0] and sent_by[1]  # both instances really worked on the queue
    assert len(posts) == len(ids) and {p.outcome for p in posts} == {"created"}
    assert sorted(p.headers["Idempotency-Key"] for p in posts) == sorted(ids)


# --- WAL checkpoints -------------------------------------------------------------------------


def database_file_only(store, tmp_path) -> sqlite3.Connection:
    """The database file as it is on disk, without the WAL (what only checkpoints write)."""
    copy = tmp_path / "file-only.db"
    copy.write_bytes(store.paths.drafts_db.read_bytes())
    return sqlite3.connect(copy)


def lease_on_file(store, tmp_path, report_id: str) -> str:
    with database_file_only(store, tmp_path) as conn:
        try:
            row = conn.execute("SELECT lease_expires_at FROM outbox WHERE report_id = ?",
                               (report_id,)).fetchone()
        except sqlite3.OperationalError:  # not even the table has reached the file yet
            return ""
    return row[0] if row else ""


def renew_many(outbox, claim, clock, count: int) -> None:
    for _ in range(count):
        clock.now += timedelta(seconds=1)  # each renewal writes a new expiry
        assert outbox.renew(claim)


def test_a_backlog_is_checkpointed_by_the_background_thread(store, outbox, clock, tmp_path):
    """Sending commits a few transactions per report; copying them into the database file
    (with fsync) happens on the checkpoint thread, not in the commits of the uploads."""
    import threading

    from capture_app.core.sending.outbox import BACKSTOP_CHECKPOINT_PAGES, CHECKPOINT_EVERY_COMMITS

    report = stored_report(store, with_evidence=False)
    outbox.enqueue(report.id)
    claim = outbox.claim()
    for _ in range(20):
        renew_many(outbox, claim, clock, CHECKPOINT_EVERY_COMMITS)
        assert outbox._checkpointer.wait_idle(10), "the checkpoint thread did not finish"
    assert outbox._checkpointer.completed >= 20
    assert "outbox-checkpoint" in {thread.name for thread in threading.enumerate()}
    # Far fewer frames than the connection's own threshold were written, yet the database file
    # holds a recent lease: the thread copied it there. (A checkpoint cannot copy the commit
    # being written while it runs, so "recent" allows for one more batch.)
    wal = Path(str(store.paths.drafts_db) + "-wal")
    assert wal.stat().st_size < BACKSTOP_CHECKPOINT_PAGES * 4096
    assert lease_on_file(store, tmp_path, report.id) >= column_time(
        clock.now - timedelta(seconds=2 * CHECKPOINT_EVERY_COMMITS) + timedelta(seconds=LEASE_SECONDS))

    assert outbox.complete(claim, receipt()).state == "sent"
    outbox.close()
    assert "outbox-checkpoint" not in {thread.name for thread in threading.enumerate()}
    with sqlite3.connect(store.paths.drafts_db) as conn:
        assert conn.execute("SELECT state FROM reports WHERE id = ?", (report.id,)).fetchone() == ("sent",)


def test_without_the_checkpoint_thread_the_database_file_lags_behind(store, outbox, clock, tmp_path,
                                                                      monkeypatch):
    """The measurement above can tell: with background checkpoints off, the same renewals stay
    in the WAL and the database file does not hold a recent lease."""
    from capture_app.core.sending.outbox import CHECKPOINT_EVERY_COMMITS

    monkeypatch.setattr(outbox._checkpointer, "request", lambda: None)
    report = stored_report(store, with_evidence=False)
    outbox.enqueue(report.id)
    claim = outbox.claim()
    renew_many(outbox, claim, clock, 20 * CHECKPOINT_EVERY_COMMITS)
    latest = column_time(clock.now + timedelta(seconds=LEASE_SECONDS))
    assert lease_on_file(store, tmp_path, report.id) < column_time(
        clock.now - timedelta(seconds=2 * CHECKPOINT_EVERY_COMMITS) + timedelta(seconds=LEASE_SECONDS))
    with sqlite3.connect(store.paths.drafts_db) as conn:  # with the WAL: the latest lease
        assert conn.execute("SELECT lease_expires_at FROM outbox").fetchone() == (latest,)


def test_the_wal_stays_bounded_while_commits_never_pause(store, outbox, clock):
    """Commits that keep coming while the thread checkpoints: the connection's backstop
    checkpoint lets the WAL start over, so it does not grow with the backlog."""
    from capture_app.core.sending.outbox import BACKSTOP_CHECKPOINT_PAGES

    report = stored_report(store, with_evidence=False)
    outbox.enqueue(report.id)
    claim = outbox.claim()
    wal = Path(str(store.paths.drafts_db) + "-wal")
    largest = 0
    for _ in range(12):
        renew_many(outbox, claim, clock, 1000)
        largest = max(largest, wal.stat().st_size)
    assert largest <= (BACKSTOP_CHECKPOINT_PAGES + 200) * (4096 + 24), largest
