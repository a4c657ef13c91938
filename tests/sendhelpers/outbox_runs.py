"""Sending a queued report until it settles, with a clock the test moves: shared by the helpdesk
tests and benchmarks/send_faults.py. The fixtures ``clock``, ``store`` and ``outbox`` are
imported by the test modules that use them."""
from __future__ import annotations

import random
from datetime import datetime, timezone

import pytest

from capture_app.core.platform.secrets import Secret
from capture_app.core.report.drafts import DraftStore
from capture_app.core.sending.outbox import Outbox
from capture_app.core.sending.transports.http import HttpSettings, HttpTransport
from sendhelpers.reports import paths_for


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(tmp_path):
    with DraftStore(paths_for(tmp_path)) as draft_store:
        yield draft_store


@pytest.fixture
def outbox(store, clock):
    with Outbox(store, clock=clock, rng=random.Random(5)) as box:
        yield box


def settle(outbox, sender, clock, limit: int = 8) -> list:
    """Attempts until the report is sent or needs attention; waiting time passes on ``clock``."""
    outcomes = []
    for _ in range(limit):
        outcome = sender.send_next()
        if outcome is None:
            due = outbox.next_due()
            if due is None:
                break
            clock.now = max(clock.now, due)
            continue
        outcomes.append(outcome)
        if outcome.state in ("sent", "needs_attention"):
            break
    return outcomes


def helpdesk_transport(helpdesk, url: str | None = None, *, read_timeout: float = 20.0,
                       clock=None) -> HttpTransport:
    """The django-helpdesk profile for a ``HelpdeskProcess``."""
    settings = HttpSettings(endpoint=url or helpdesk.url, profile="django_helpdesk",
                            queue=str(helpdesk.queue), user=helpdesk.user, connect_timeout=5,
                            read_timeout=read_timeout, organisation="Example Bank AG")
    return HttpTransport(settings, Secret(helpdesk.password), **({"clock": clock} if clock else {}))


def hosted_transport(server, url: str | None = None, *, read_timeout: float = 10.0,
                     clock=None) -> HttpTransport:
    """The profile for one of ``sendhelpers.hosted_helpdesks``' servers, signed in as it expects."""
    queue = {"jira_service_management": getattr(server, "service_desk", ""),
             "zammad": getattr(server, "group", "")}.get(server.vendor, "")
    settings = HttpSettings(endpoint=url or server.url, profile=server.vendor, queue=queue,
                            request_type=getattr(server, "request_type", ""),
                            user=server.user.removesuffix("/token"), connect_timeout=5,
                            read_timeout=read_timeout, organisation="Example Bank AG")
    secret = server.user if server.vendor == "freshdesk" else server.token
    return HttpTransport(settings, Secret(secret), **({"clock": clock} if clock else {}))
