"""Cases the agent closed in triage without Flexperto: solved, forwarded to the project lead, or
not Flexperto's. Their drafts are deleted, so one line per case is kept in a local file — the
case, the answer and when, nothing the agent typed — for the count a team lead asks for
("how many calls did 1st level solve itself?")."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

FILE_NAME = "closed-in-triage.jsonl"


@dataclass(frozen=True)
class Counts:
    today: int
    total: int


def record(folder: Path, case_id: str, outcome: str, answer: str, *,
           now: datetime | None = None) -> None:
    """Append one line; flushed to disk before returning (the draft is gone after this)."""
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    line = json.dumps({"at": moment.isoformat(timespec="seconds"), "case_id": case_id,
                       "outcome": outcome, "answer": answer}, ensure_ascii=False)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / FILE_NAME, "a", encoding="utf-8") as log:
        log.write(line + "\n")
        log.flush()
        os.fsync(log.fileno())


def counts(folder: Path, *, now: datetime) -> Counts:
    """How many cases were closed in triage: on ``now``'s calendar day (in ``now``'s zone) and
    in all. Lines that cannot be read (a torn last line after a power cut) are skipped."""
    path = folder / FILE_NAME
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return Counts(0, 0)
    today = total = 0
    for line in lines:
        try:
            at = datetime.fromisoformat(json.loads(line)["at"])
        except (ValueError, KeyError, TypeError):
            continue
        total += 1
        if at.astimezone(now.tzinfo).date() == now.date():
            today += 1
    return Counts(today, total)
