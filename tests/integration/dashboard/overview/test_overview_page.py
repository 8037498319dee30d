"""The overview page: counts per queue, oldest ready age, workers, charts, live fragment."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.models import WorkerRecord

from ..conftest import LoginAs
from .factories import db_now, finished_task, task_row

URL = "/"
XSS = '"><img src=x onerror=alert(1)><script>alert(1)</script>'


def chart_of(html: str, series: str) -> str:
    """The <figure> of one chart."""
    match = re.search(
        rf'<figure class="card chart-card" data-chart="{series}">(.*?)</figure>', html, re.S
    )
    assert match, f"no {series} chart"
    return match.group(1)


def bars(figure: str) -> list[str]:
    """The tooltips of a chart's bars."""
    return re.findall(r'<rect class="bar[^"]*"[^>]*><title>([^<]*)</title>', figure)


def test_anonymous_visitors_are_sent_to_log_in(services: Services) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_user_without_a_role_is_refused(login_as: LoginAs) -> None:
    assert login_as("").get(URL).status_code == 403


def test_post_is_not_allowed(operator: Client) -> None:
    assert operator.post(URL).status_code == 405


def test_empty_database_renders_with_empty_charts(viewer: Client) -> None:
    response = viewer.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "No tasks yet" in html
    assert "No queue is paused" in html
    for series in ("throughput", "failures", "wait"):
        figure = chart_of(html, series)
        assert 'role="img"' in figure
        assert bars(figure) == []
    assert "0 succeeded in the last hour" in html
    assert '<div class="visually-hidden"><table>' in html


def test_counts_oldest_ready_age_workers_and_charts(viewer: Client, services: Services) -> None:
    now = db_now()
    for _ in range(3):
        task_row(status="ready", run_after=now - timedelta(minutes=5))
    task_row(status="ready", run_after=now - timedelta(seconds=30))
    task_row(status="scheduled", run_after=now + timedelta(hours=1))
    task_row(status="running", queue="emails")
    # Logged in time order, as the database clock stamps them (activity.py relies on it).
    finished_task(at=now - timedelta(minutes=20), status="failed", queue="emails")
    finished_task(at=now - timedelta(seconds=6), waited=4.0)
    finished_task(at=now - timedelta(seconds=5), waited=2.0)
    services.tasks.pause_queue("reports")
    WorkerRecord.objects.create(
        id="w1",
        hostname="h",
        pid=1,
        concurrency=2,
        started_at=now,
        last_heartbeat=now,
        state="running",
    )
    WorkerRecord.objects.create(
        id="w2",
        hostname="h",
        pid=2,
        concurrency=2,
        started_at=now,
        last_heartbeat=now - timedelta(hours=1),
        state="running",
    )

    html = viewer.get(URL).content.decode()

    default = re.search(
        r'<th scope="row"><a href="/tasks/\?queue=default">default</a>(.*?)</tr>', html, re.S
    )
    assert default
    counts = re.findall(r'<td class="num"[^>]*>(?:<a [^>]*>)?([^<]*)<', default.group(1))
    # blocked, scheduled, ready, running, retrying, succeeded, failed, cancelled, total, oldest
    assert counts[:9] == ["0", "1", "4", "0", "0", "2", "0", "0", "7"]
    assert counts[9].startswith("5 min")
    assert re.search(
        r"<th scope=\"row\"><a [^>]*>reports</a> <span class=\"badge badge-paused\"", html
    )
    assert "Paused queues: <strong>reports</strong>" in html
    assert 'data-worker-state="running">1<' in html
    assert 'data-worker-state="stale">1<' in html

    throughput = chart_of(html, "throughput")
    assert len(bars(throughput)) >= 1
    assert "2 succeeded in the last hour" in throughput
    assert sum(int(tip.split(": ")[1].split()[0]) for tip in bars(throughput)) == 2
    failures = chart_of(html, "failures")
    assert [tip.endswith("1 failed attempt") for tip in bars(failures)] == [True]
    wait = chart_of(html, "wait")
    # The failed task started too, without waiting: (2 + 4 + 0) / 3.
    assert "3 attempts claimed in the last hour" in wait
    assert "waited 2.0 s on average" in wait
    assert "4.0 s at most" in wait


def test_the_day_window_shows_older_activity(viewer: Client) -> None:
    finished_task(at=db_now() - timedelta(hours=5))
    hour = viewer.get(URL).content.decode()
    day = viewer.get(URL, {"window": "day"}).content.decode()
    assert bars(chart_of(hour, "throughput")) == []
    assert len(bars(chart_of(day, "throughput"))) == 1
    assert "1 succeeded in the last day" in day
    assert 'hx-get="/?window=day"' in day
    assert re.search(r'href="\?window=day"[^>]*aria-current="true"', day)


def test_htmx_requests_get_only_the_live_region(viewer: Client) -> None:
    response = viewer.get(URL, {"window": "day"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="overview-stats" data-live')
    assert "<html" not in html
    assert 'hx-trigger="every 5s, live-refresh"' in html
    assert "last day" in html


def test_a_history_restore_gets_the_whole_page(viewer: Client) -> None:
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert "<html" in viewer.get(URL, headers=headers).content.decode()


def test_the_full_page_has_the_live_toggle(viewer: Client) -> None:
    html = viewer.get(URL).content.decode()
    assert '<button id="live-toggle" type="button">' in html
    assert "dashboard/overview.css" in html


@pytest.mark.parametrize("window", ["", "week", XSS])
def test_an_unknown_window_shows_the_hour(viewer: Client, window: str) -> None:
    html = viewer.get(URL, {"window": window}).content.decode()
    assert "Activity, last hour" in html
    assert "<script>alert" not in html


def test_queue_names_are_escaped(viewer: Client) -> None:
    task_row(queue=XSS)
    html = viewer.get(URL).content.decode()
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
