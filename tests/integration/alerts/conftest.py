"""Alerts on the test databases: services on a clock the test can move, a webhook receiver."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone
from pytest_django import Settings

from scheduler_core.alert_wiring import AlertServices, build_alert_services
from scheduler_core.domain.alerts import AlertKind, AlertRule, Channel, ChannelType
from scheduler_core.domain.ports import Clock
from scheduler_core.models import TaskRecord, WorkerRecord
from scheduler_core.storage import DatabaseClock


class ShiftedClock(Clock):
    """The database's clock moved on by `offset`: tests pass time without sleeping."""

    def __init__(self, using: str) -> None:
        self.base = DatabaseClock(using)
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return self.base.now() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@pytest.fixture
def clock(alias: str) -> ShiftedClock:
    """A clock the test moves on."""
    return ShiftedClock(alias)


@pytest.fixture
def alerts(alias: str, clock: ShiftedClock, settings: Settings) -> AlertServices:
    """Alert services on the database under test, with quick retries."""
    settings.ALERT_RETRY_BASE_SECONDS = 0.0
    settings.ALERT_RETRY_ATTEMPTS = 3
    settings.ALERT_WEBHOOK_TIMEOUT = 2.0
    return build_alert_services(alias, clock=clock)


@dataclass
class Receiver:
    """A local HTTP server that records every POST and answers with scripted statuses."""

    url: str
    posts: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    # Seconds the server waits before answering (a slow receiver, for timeouts).
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies(self, event: str | None = None) -> list[dict[str, Any]]:
        """The JSON bodies received, of one event or all."""
        with self.lock:
            return [p["body"] for p in self.posts if event is None or p["body"]["event"] == event]


@pytest.fixture
def receiver(settings: Settings) -> Iterator[Receiver]:
    """A webhook receiver on 127.0.0.1, its URL prefix on ALERT_WEBHOOK_ALLOWED."""
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            got = state["r"]
            time.sleep(got.delay)
            with got.lock:
                status = got.statuses.pop(0) if got.statuses else 200
                got.posts.append(
                    {
                        "body": json.loads(raw),
                        "raw": raw,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "path": self.path,
                        "at": timezone.now(),
                        "arrived": time.monotonic(),
                        "status": status,
                    }
                )
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
            self.wfile.write(b"nope" if status >= 300 else b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    state["r"] = Receiver(url=f"http://127.0.0.1:{port}/hook")
    settings.ALERT_WEBHOOK_ALLOWED = [f"http://127.0.0.1:{port}/hook"]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state["r"]
    server.shutdown()
    server.server_close()


def webhook(receiver: Receiver, secret: str = "s3cret") -> Channel:
    """A webhook channel to the receiver."""
    return Channel(type=ChannelType.WEBHOOK, url=receiver.url, secret=secret)


def rule(kind: AlertKind, **fields: Any) -> AlertRule:
    """A rule of `kind` with a unique name."""
    values: dict[str, Any] = {"for_seconds": 30, "renotify_seconds": 0} | fields
    return AlertRule(name=f"{kind.value}-{uuid.uuid4().hex[:6]}", kind=kind, **values)


def add_task(alias: str, now: datetime, **fields: Any) -> TaskRecord:
    """A task row written straight into the table (the probe only reads)."""
    values: dict[str, Any] = {
        "name": "demo.tasks.quick",
        "status": "ready",
        "run_after": now,
        "enqueued_at": now,
    } | fields
    return TaskRecord.objects.using(alias).create(**values)


def add_worker(alias: str, beat: datetime, queues: list[str], state: str = "running") -> str:
    """A worker row that last beat at `beat`."""
    worker_id = f"w-{uuid.uuid4().hex[:6]}"
    WorkerRecord.objects.using(alias).create(
        id=worker_id,
        hostname="test",
        pid=1,
        queues=queues,
        concurrency=1,
        started_at=beat,
        last_heartbeat=beat,
        state=state,
    )
    return worker_id
