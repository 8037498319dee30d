"""The workers list and a worker's page: states, stale detection, busy slots, escaping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, Worker, WorkerLoad, WorkerState
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.models import WorkerRecord
from tests.integration.dashboard.conftest import LoginAs

LIST = reverse("dashboard:workers:list")
XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


def add_worker(
    services: Services,
    worker_id: str,
    *,
    hostname: str = "host-1",
    silent_for: timedelta = timedelta(0),
    state: WorkerState = WorkerState.RUNNING,
    queues: tuple[str, ...] = ("default",),
) -> Worker:
    """Register a worker whose last heartbeat was `silent_for` ago, and move it to `state`."""
    now = services.clock.now()
    worker = Worker(
        id=worker_id,
        hostname=hostname,
        pid=4242,
        queues=queues,
        concurrency=4,
        started_at=now - silent_for - timedelta(minutes=5),
        last_heartbeat=now - silent_for,
    )
    services.workers.register(worker)
    if state is not WorkerState.STARTING:
        services.workers.start(worker_id)
    if state is WorkerState.DRAINING:
        services.workers.drain(worker_id)
    if state is WorkerState.STOPPED:
        services.workers.stop(worker_id)
    return services.workers.get_worker(worker_id)


def run_tasks(services: Services, worker: Worker, count: int) -> list[Task]:
    """Submit `count` tasks and have the worker claim them."""
    for _ in range(count):
        services.tasks.submit(SubmitRequest(name="demo.tasks.noop", queue=worker.queues[0]))
    return services.workers.claim(worker, count)


def row_of(html: str, text: str) -> str:
    """The table row of the page that holds `text`."""
    [row] = [row for row in html.split("<tr")[1:] if text in row]
    return row


def test_the_list_shows_each_worker_with_its_state_and_busy_slots(
    viewer: Client, services: Services
) -> None:
    busy = add_worker(services, "busy-1")
    held = run_tasks(services, busy, 2)
    add_worker(services, "idle-1", state=WorkerState.DRAINING)

    html = viewer.get(LIST).content.decode()

    assert "busy-1" in html and "idle-1" in html
    assert "2 / 4" in html
    for task in held:
        assert f'href="/tasks/{task.id}/"' in html
    assert "badge-running" in html
    assert "badge-draining" in html
    assert "data-live" in html and 'id="live-toggle"' in html


def test_a_running_worker_silent_past_the_sweep_threshold_is_stale(
    viewer: Client, services: Services, settings: Settings
) -> None:
    settings.SCHEDULER = {**settings.SCHEDULER, "LEASE_SECONDS": 30}
    # The sweep's threshold: lease + a third of it, here 40 s.
    add_worker(services, "quiet-1", silent_for=timedelta(seconds=45))
    add_worker(services, "fresh-1", silent_for=timedelta(seconds=30))

    html = viewer.get(LIST).content.decode()

    quiet_row = row_of(html, "quiet-1")
    fresh_row = row_of(html, "fresh-1")
    assert "badge-stale" in quiet_row
    assert "badge-running" in fresh_row and "badge-stale" not in fresh_row


def test_a_worker_declared_dead_by_the_sweep_shows_dead_not_stopped(
    viewer: Client, services: Services
) -> None:
    add_worker(services, "crashed-1", silent_for=timedelta(minutes=5))
    add_worker(services, "clean-1", state=WorkerState.STOPPED, silent_for=timedelta(minutes=5))
    assert services.workers.mark_stale_workers_dead(timedelta(minutes=1)) == ["crashed-1"]

    html = viewer.get(LIST).content.decode()

    assert "badge-dead" in row_of(html, "crashed-1")
    assert "badge-stopped" in row_of(html, "clean-1")


def test_workers_stopped_over_an_hour_ago_are_hidden_unless_asked_for(
    viewer: Client, services: Services
) -> None:
    add_worker(services, "old-1", state=WorkerState.STOPPED, silent_for=timedelta(hours=2))
    add_worker(services, "recent-1", state=WorkerState.STOPPED, silent_for=timedelta(minutes=5))
    add_worker(services, "live-1")

    default = viewer.get(LIST).content.decode()
    everything = viewer.get(LIST, {"show": "all"}).content.decode()
    live_only = viewer.get(LIST, {"show": "live"}).content.decode()

    assert "old-1" not in default and "recent-1" in default and "1 stopped worker hidden" in default
    assert "old-1" in everything and "recent-1" in everything
    assert "recent-1" not in live_only and "live-1" in live_only


def test_htmx_polls_get_the_table_alone(viewer: Client, services: Services) -> None:
    add_worker(services, "w-1")

    fragment = viewer.get(LIST, {"show": "all"}, headers={"HX-Request": "true"}).content.decode()

    assert fragment.lstrip().startswith('<div id="workers"')
    assert "<html" not in fragment and "w-1" in fragment
    assert "show=all" in fragment


def test_the_worker_page_shows_its_running_and_recent_tasks(
    viewer: Client, services: Services
) -> None:
    worker = add_worker(services, "w-1")
    first, second = run_tasks(services, worker, 2)
    services.workers.complete(first, None)

    html = viewer.get(reverse("dashboard:workers:detail", args=["w-1"])).content.decode()

    running = html.split("Running now")[1].split("Recent tasks")[0]
    recent = html.split("Recent tasks")[1]
    assert str(second.id) in running and str(first.id) not in running
    assert str(first.id) in recent and str(second.id) in recent
    assert "1 / 4" in html


def test_an_unknown_worker_is_a_404(viewer: Client, services: Services) -> None:
    assert viewer.get(reverse("dashboard:workers:detail", args=["nope"])).status_code == 404
    assert viewer.get(f"{LIST}{'x' * 300}/").status_code == 404


@pytest.mark.parametrize("payload", XSS)
def test_hostnames_and_ids_are_escaped(viewer: Client, services: Services, payload: str) -> None:
    add_worker(services, f"w{payload}", hostname=payload)

    listed = viewer.get(LIST).content.decode()
    detail = viewer.get(reverse("dashboard:workers:detail", args=[f"w{payload}"]))

    assert detail.status_code == 200
    for html in (listed, detail.content.decode()):
        assert payload not in html
        assert "&lt;" in html


def test_a_user_without_view_workers_gets_403(login_as: LoginAs, services: Services) -> None:
    add_worker(services, "w-1")
    nobody = login_as("")
    assert nobody.get(LIST).status_code == 403
    assert nobody.get(reverse("dashboard:workers:detail", args=["w-1"])).status_code == 403


def test_the_pages_are_read_only(viewer: Client, services: Services) -> None:
    add_worker(services, "w-1")
    before = list(WorkerRecord.objects.values())

    viewer.get(LIST)
    viewer.get(reverse("dashboard:workers:detail", args=["w-1"]))

    assert list(WorkerRecord.objects.values()) == before
    assert viewer.post(LIST).status_code == 405


def test_the_page_shows_the_load_the_last_heartbeat_reported(
    viewer: Client, services: Services
) -> None:
    add_worker(services, "w-1")
    before = viewer.get("/workers/w-1/").content.decode()
    assert "not reported yet" in before
    services.workers.heartbeat(
        "w-1", set(), WorkerLoad(processed=1234, failed=56, rss_bytes=150 * 2**20)
    )

    page = viewer.get("/workers/w-1/").content.decode()

    assert 'data-processed="1234"' in page
    assert "1,234 attempts run to an end, 56 of them failed" in page
    assert 'data-rss="157286400"' in page and "150.0\xa0MB" in page
