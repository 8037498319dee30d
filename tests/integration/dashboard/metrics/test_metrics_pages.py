"""The metrics pages' figures, computed again from the task and error tables, on both
engines, for every window and scope; who may see them; escaping; the links to them."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from dashboard.metrics.charts import seconds
from dashboard.metrics.report import BUCKET_SECONDS
from dashboard.spans import SPANS
from scheduler_core.bootstrap import Services
from scheduler_core.domain import duration_histogram as hist
from scheduler_core.models import TaskErrorRecord, TaskRecord
from scheduler_core.storage.db_clock import DatabaseClock
from scheduler_core.storage.metrics_rollup import DjangoMetricsRollup
from tests.integration.storage.metrics_history import write_history

AGES = [timedelta(minutes=m) for m in (2, 10, 45, 70, 200)] + [
    timedelta(hours=h) for h in (5, 22, 30, 60, 24 * 5, 24 * 12, 24 * 28)
]


def summary(html: str) -> dict[str, str]:
    table = html.split('id="metrics-summary"', 1)[1].split("</table>", 1)[0]
    return dict(re.findall(r'data-figure="(\w+)">([^<]*)<', table))


def exact_bound(values: list[float], fraction: float) -> str:
    """The nearest-rank percentile of the values, shown as the page shows its bucket."""
    if not values:
        return "—"
    ordered = sorted(values)
    value = ordered[max(1, math.ceil(fraction * len(ordered) - 1e-9)) - 1]
    return f"≤ {seconds(hist.upper_bound(hist.bucket_of(value)))}"


def truth(alias: str, key: str, scope: dict[str, str]) -> dict[str, str]:
    """The summary row computed from the tables for the window `key`."""
    width = BUCKET_SECONDS[key]
    now = int(DatabaseClock(alias).now().timestamp())
    count = int(SPANS[key].length.total_seconds()) // width
    since = datetime.fromtimestamp(now // width * width - (count - 1) * width, tz=UTC)
    tasks = TaskRecord.objects.using(alias).filter(finished_at__gte=since, **scope)
    by_status = {s: tasks.filter(status=s).count() for s in ("succeeded", "failed", "cancelled")}
    timed = list(
        tasks.filter(status__in=["succeeded", "failed"]).values_list(
            "finished_at", "attempt_started_at", "started_at", "run_after"
        )
    )
    # Every timed row of the history has its start and claim stamped.
    runs = [(end - began).total_seconds() for end, began, _, _ in timed if end and began]
    waits = [max(0.0, (claimed - due).total_seconds()) for _, _, claimed, due in timed if claimed]
    assert len(runs) == len(waits) == len(timed)
    error_scope = {f"task__{field}": value for field, value in scope.items()}
    failed_attempts = (
        TaskErrorRecord.objects.using(alias).filter(failed_at__gte=since, **error_scope).count()
    )
    ended = by_status["succeeded"] + failed_attempts
    return {
        "finished": str(by_status["succeeded"] + by_status["failed"]),
        "succeeded": str(by_status["succeeded"]),
        "failed": str(by_status["failed"]),
        "cancelled": str(by_status["cancelled"]),
        "failed_attempts": str(failed_attempts),
        "failure_rate": f"{100 * failed_attempts / ended:.1f}%" if ended else "—",
        **{f"run_{i}": exact_bound(runs, f) for i, f in enumerate((0.5, 0.95, 0.99))},
        **{f"wait_{i}": exact_bound(waits, f) for i, f in enumerate((0.5, 0.95, 0.99))},
    }


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
@pytest.mark.parametrize("rolled", [True, False], ids=["rolled-up", "on-read-only"])
def test_each_page_shows_the_figures_the_tables_hold(
    viewer: Client, on_backend: Services, alias: str, rolled: bool
) -> None:
    write_history(alias, AGES)
    if rolled:
        rollup = DjangoMetricsRollup(alias, retention_days=30)
        while rollup.roll_up().minutes_rolled:
            pass
    pages = [
        ("/stats/", {}),
        ("/stats/tasks/demo.add/", {"name": "demo.add"}),
        ("/stats/queues/mail/", {"queue": "mail"}),
    ]
    for url, scope in pages:
        for key in SPANS:
            if not rolled and key != "1h":
                continue  # without the rollup only the last hour is counted (on read)
            response = viewer.get(f"{url}?window={key}")
            assert response.status_code == 200
            assert summary(response.content.decode()) == truth(alias, key, scope), (url, key)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_page_says_when_the_rollup_has_not_run(
    viewer: Client, on_backend: Services, alias: str
) -> None:
    write_history(alias, AGES[:3])
    html = viewer.get("/stats/?window=7d").content.decode()
    assert "has not run yet" in html
    html = viewer.get("/stats/?window=1h").content.decode()
    assert "has not run yet" not in html


def test_the_pages_need_a_login_and_escape_names(
    client: Client, viewer: Client, alias: str
) -> None:
    assert client.get("/stats/").status_code == 302
    evil = "<script>alert(1)</script>"
    response = viewer.get(f"/stats/queues/{evil}/")
    assert response.status_code == 200
    assert evil not in response.content.decode()
    assert "&lt;script&gt;" in response.content.decode()
    assert viewer.get("/stats/queues/" + "q" * 101 + "/").status_code == 404
    assert viewer.get("/stats/tasks/" + "n" * 201 + "/").status_code == 404


@pytest.mark.parametrize("backend", ["sqlite"])
def test_rows_link_to_each_name_and_queue_page_and_its_tasks(
    viewer: Client, on_backend: Services, alias: str
) -> None:
    write_history(alias, AGES[:4])
    html = viewer.get("/stats/?window=1h").content.decode()
    assert (
        'href="/stats/tasks/demo.add/?window=1h"' in html
        or 'href="/stats/tasks/demo.sleep/?window=1h"' in html
    )
    assert 'href="/stats/queues/' in html
    assert 'href="/tasks/?name=demo.' in html
    queue_page = viewer.get("/stats/queues/mail/").content.decode()
    assert "By task name" in queue_page and "By queue" not in queue_page
