"""kill -9 the sender at random moments while it sends a queue to a real HTTP ticket server.

One sender process per kill (outbox_child.py: the app's sending code in a plain process, forked
from a process that has imported everything once, so start-up does not eat the time budget).
The parent keeps the queue filled (queuing while a sender runs, as the app does) and, after each
kill, opens the outbox as the next app start would and checks:

* every report is in exactly one of queued / sent (a dead sender's claim is taken back);
* every sent report's receipt names the ticket the server created for its Idempotency-Key;
* the server never received a report again after it was recorded as sent.

At the end one more sender drains the queue: every report is sent, the server holds exactly one
ticket per report and no other ticket.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sendhelpers.http_server import TicketServer
from sendhelpers.reports import paths_for, stored_report

from capture_app.core.platform.secrets import Secret
from capture_app.core.report.drafts import DraftStore
from capture_app.core.sending.outbox import Outbox
from capture_app.core.sending.service import OutboxSender
from capture_app.core.sending.transports.http import HttpSettings, HttpTransport

CHILD = Path(__file__).with_name("outbox_child.py")
KILLS = 210
MAX_DELAY = 0.3  # seconds after "go": opening the store, claims, uploads, answers
TIME_BUDGET = 300.0
LOW_WATER = 6  # keep at least this many reports waiting, so that kills land while sending


def _zygote(root: Path, url: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(CHILD), str(root), url, "20", "zygote"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


def _ask(zygote: subprocess.Popen, line: str) -> str:
    zygote.stdin.write(line + "\n")
    zygote.stdin.flush()
    answer = zygote.stdout.readline().strip()
    assert answer, zygote.stderr.read()
    return answer


def _check(paths, ids: list[str], server: TicketServer, sent_before: dict[str, int],
           context: str) -> dict[str, str]:
    """The invariants after a kill; ``sent_before`` maps reports already seen as sent to the
    number of requests the server had received for them then (it must never grow)."""
    with DraftStore(paths) as store, Outbox(store) as outbox:
        outbox.recover()  # what the app does at start-up: a dead sender's claims go back
        states = {report_id: outbox.state(report_id) for report_id in ids}
        receipts = {report_id: outbox.receipt(report_id) for report_id in ids
                    if states[report_id] == "sent"}
    wrong = {rid: state for rid, state in states.items() if state not in ("queued", "sent")}
    assert wrong == {}, f"reports outside queued/sent {context}"
    with server._lock:
        by_key = dict(server.by_key)
        posts: dict[str, int] = {}
        for request in server.requests:
            key = request.headers.get("Idempotency-Key")
            posts[key] = posts.get(key, 0) + 1
    for report_id, count in sent_before.items():
        assert states[report_id] == "sent", f"a sent report went back {context}"
        assert posts.get(report_id, 0) == count, \
            f"{report_id} was sent again after it was recorded as sent {context}"
    for report_id, receipt in receipts.items():
        assert by_key.get(report_id) == receipt.reference, f"receipt without its ticket {context}"
        sent_before.setdefault(report_id, posts.get(report_id, 0))
    assert set(by_key) <= set(ids), f"a ticket for a report nobody queued {context}"
    return states


@pytest.mark.slow
def test_the_outbox_survives_kill_9_while_sending(tmp_path):
    seed = int(os.environ.get("KILL_TEST_SEED", time.time_ns() % 2**32))
    rng = random.Random(seed)
    context = f"(seed {seed}; rerun with KILL_TEST_SEED={seed})"
    paths = paths_for(tmp_path)
    ids: list[str] = []

    def top_up(store, outbox) -> None:
        while outbox.queued_count() < LOW_WATER:
            report = stored_report(store, summary=f"Bericht {len(ids)}", with_evidence=len(ids) % 3 == 0)
            outbox.enqueue(report.id)
            ids.append(report.id)

    with TicketServer(keep_bodies=False) as server:
        sent_before: dict[str, int] = {}
        # A little time between committing a ticket and answering: kills land there too.
        server.answer_delay = lambda: rng.uniform(0, 0.02)
        with DraftStore(paths) as store, Outbox(store) as outbox:
            top_up(store, outbox)

        started = time.monotonic()
        kills = 0
        zygote = _zygote(tmp_path, server.url)
        output = tmp_path / "sender.out"
        try:
            assert zygote.stdout.readline().strip() == "ready", zygote.stderr.read()
            while kills < KILLS:
                assert time.monotonic() - started < TIME_BUDGET, f"only {kills} kills in time {context}"
                pid = int(_ask(zygote, f"fork {output}"))
                time.sleep(rng.uniform(0, MAX_DELAY))
                os.kill(pid, signal.SIGKILL)
                assert _ask(zygote, f"wait {pid}") == f"status {signal.SIGKILL}", \
                    f"the sender ended before the kill: {output.read_text()} {context}"
                text = output.read_text()
                assert "Traceback" not in text, text
                kills += 1
                _check(paths, ids, server, sent_before, f"after kill {kills} {context}")
                with DraftStore(paths) as store, Outbox(store) as outbox:
                    top_up(store, outbox)
        finally:
            zygote.stdin.close()
            try:
                zygote.wait(timeout=10)
            except subprocess.TimeoutExpired:
                zygote.kill()
                zygote.wait()
            zygote.stdout.close()
            zygote.stderr.close()
        elapsed = time.monotonic() - started

        sent_during_kills = sum(1 for s in _check(paths, ids, server, sent_before, context).values()
                                if s == "sent")
        with DraftStore(paths) as store, Outbox(store) as outbox:
            outbox.recover()
            transport = HttpTransport(HttpSettings(endpoint=server.url), Secret("kill-test-token"))
            OutboxSender(outbox, lambda: transport).send_all_due()
            states = {report_id: outbox.state(report_id) for report_id in ids}
            references = {report_id: outbox.receipt(report_id).reference for report_id in ids}
        replays = sum(1 for r in server.requests if r.outcome == "replayed")
        tickets = dict(server.by_key)

    assert set(states.values()) == {"sent"}, f"not everything was sent in the end {context}"
    assert sorted(tickets) == sorted(ids) and len(server.tickets) == len(ids), \
        f"a ticket was created twice or is missing {context}"
    assert references == tickets
    assert replays <= kills  # only an attempt cut off by a kill is ever repeated
    print(f"\noutbox kill test: {kills} kills in {elapsed:.1f}s, {len(ids)} reports, "
          f"{sent_during_kills} sent while being killed, {replays} repeated after a kill, seed {seed}")
    assert sent_during_kills > len(ids) // 3  # the kills hit a sender that really sent
