"""kill -9 at random moments while a draft autosaves: the draft is always one whole version.

One child process per kill (see autosave_child.py). The next child is started while the
current one runs, so interpreter start-up does not count against the time budget. After each
kill the parent opens the store as the app would on its next start and checks that the draft is
readable, that every field and attachment comes from the same version ``n``, and that ``n`` is
at least what the child had reported as committed.
"""
from __future__ import annotations

import importlib.util
import os
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from capture_app.core.report.drafts import DraftNotFoundError, DraftStore

CHILD = Path(__file__).with_name("autosave_child.py")
KILLS = 220
MAX_DELAY = 0.12  # seconds after "go"; covers opening the store and several saves
TIME_BUDGET = 100.0  # seconds; the test fails rather than run on
CHILD_MAX_SECONDS = 5.0  # a child that was never killed still ends by itself


def _load_child_module():
    spec = importlib.util.spec_from_file_location("autosave_child", CHILD)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _spawn(root: Path, report_id: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(CHILD), str(root), report_id, str(CHILD_MAX_SECONDS)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


@pytest.mark.slow
def test_autosave_survives_kill_9_at_random_moments(tmp_path):
    child_module = _load_child_module()
    seed = int(os.environ.get("KILL_TEST_SEED", time.time_ns() % 2**32))
    rng = random.Random(seed)
    report_id = str(uuid.uuid4())
    paths = child_module.paths_for(tmp_path)
    context = f"(seed {seed}; rerun with KILL_TEST_SEED={seed})"

    started = time.monotonic()
    stored_n = 0
    kills = before_first_commit = 0
    committed_total = 0
    warm = _spawn(tmp_path, report_id)
    try:
        while kills < KILLS:
            assert time.monotonic() - started < TIME_BUDGET, f"only {kills} kills in time {context}"
            child, warm = warm, None
            assert child.stdout.readline().strip() == "ready", child.stderr.read()
            child.stdin.write("go\n")
            child.stdin.flush()
            warm = _spawn(tmp_path, report_id)
            time.sleep(rng.uniform(0, MAX_DELAY))
            child.kill()  # SIGKILL on POSIX
            child.wait()
            out, err = child.stdout.read(), child.stderr.read()
            child.stdin.close()
            assert "Traceback" not in err, err
            assert "done" not in out, f"the child finished before the kill {context}"
            kills += 1
            committed = [int(line.split()[1]) for line in out.splitlines()
                         if line.startswith("committed ")]
            committed_total += len(committed)
            if not committed:
                before_first_commit += 1

            with DraftStore(paths) as store:
                assert store.notices == [], [n.message() for n in store.notices]
                try:
                    report = store.load(report_id)
                except DraftNotFoundError:
                    assert stored_n == 0 and not committed, f"draft lost, kill {kills} {context}"
                    continue
                n = child_module.check_version(report, store)
                [entry] = store.list_drafts()
            assert entry.readable and entry.revision == n, (entry, n)
            assert n >= stored_n, f"went back from v{stored_n} to v{n} {context}"
            assert not committed or n >= committed[-1], (
                f"v{committed[-1]} was reported committed, store has v{n} {context}")
            stored_n = n
    finally:
        for process in (warm,):
            if process is not None and process.poll() is None:
                process.stdin.close()  # a waiting child ends by itself on end of input
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                process.stdout.close()
                process.stderr.close()

    elapsed = time.monotonic() - started
    # Files orphaned by kills (stored, then the save never came) are collected once old enough.
    old = time.time() - 3600
    for file in paths.attachments_dir.rglob("*"):
        os.utime(file, (old, old))
    with DraftStore(paths) as store:
        store.collect_garbage()
        report = store.load(report_id)
        assert child_module.check_version(report, store) == stored_n
        on_disk = sorted(p.name for p in store.attachment_dir(report_id).iterdir()) \
            if store.attachment_dir(report_id).exists() else []
        assert on_disk == sorted(item.id for item in report.evidence)

    print(f"\nkill test: {kills} kills in {elapsed:.1f}s, {committed_total} saves reported "
          f"committed, final version v{stored_n}, {before_first_commit} kills before the first "
          f"save of a child, seed {seed}")
    assert stored_n > 0
    assert before_first_commit < kills  # most kills must land between or inside saves
