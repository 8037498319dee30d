"""The overview's dead workers of the last hour and the tasks gone workers still hold.

Run on SQLite and PostgreSQL: both must give the same counts, order and rescue times.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from dashboard.workers.health import RECENTLY_STOPPED, stale_after
from scheduler_core.bootstrap import Services
from scheduler_core.queries.dead_holders import dead_holders
from scheduler_core.storage.db_clock import DatabaseClock

from ..held_rows import held_task, worker_row

URL = "/"
XSS = '"><img src=x onerror=alert(1)><script>alert(1)</script>'


def rows_of(html: str) -> list[str]:
    """The lines of the held-tasks table, tags stripped and spaces squeezed."""
    table = re.search(r'<table class="held-by-dead".*?<tbody>(.*?)</tbody>', html, re.S)
    assert table, "no table of held tasks"
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


@pytest.fixture
def fleet(on_backend: Services, alias: str) -> dict[str, str]:
    """Workers in every state, each but the live one holding a task: worker id -> task id."""
    worker_row(alias, "w-live", "running", silent=1)
    worker_row(alias, "w-dead", "dead", silent=300)
    worker_row(alias, "w-dead-long-ago", "dead", silent=3 * 3600)
    worker_row(alias, "w-stale", "running", silent=600)
    worker_row(alias, "w-stopped", "stopped", silent=60)
    leases = {
        "w-live": 5.0,
        "w-dead": 12.5,
        "w-dead-long-ago": 100.0,
        "w-stale": -3.5,
        "w-stopped": 40.0,
    }
    return {
        worker: str(held_task(alias, worker, lease_in=lease).id) for worker, lease in leases.items()
    }


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_overview_counts_dead_workers_and_lists_held_tasks_soonest_first(
    viewer: Client, fleet: dict[str, str]
) -> None:
    html = viewer.get(URL).content.decode()

    # Declared dead and heard from within the hour: w-dead, not w-dead-long-ago.
    assert re.search(r'href="/workers/\?show=dead" data-dead-workers>1<', html)
    assert 'data-held-by-dead="4"' in html
    rows = rows_of(html)
    assert [row.split()[2] for row in rows] == ["w-stale", "w-dead", "w-stopped", "w-dead-long-ago"]
    assert re.search(r"w-stale \? stale .* rescue overdue by [34] s$", rows[0])
    assert re.search(r"w-dead ✕ dead .* rescue due in 1[23] s$", rows[1])
    assert re.search(r"w-dead-long-ago ✕ dead .* rescue due in 1 min (40|39) s$", rows[3])
    assert f'href="/tasks/{fleet["w-dead"]}/"' in html
    assert fleet["w-live"] not in html
    assert re.search(r"the soonest: rescue overdue by [34] s", html)
    # w-live beats, so its maintenance passes will do the rescue: no warning.
    assert "data-no-rescuer" not in html


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_read_gives_the_same_answer_on_both_engines(
    on_backend: Services, alias: str, fleet: dict[str, str]
) -> None:
    found = dead_holders(
        alias,
        DatabaseClock(alias).now(),
        stale_after=stale_after(),
        dead_since=RECENTLY_STOPPED,
        limit=2,
    )

    assert (found.dead_workers, found.held) == (1, 4)
    assert [(task.worker_id, task.worker_state) for task in found.soonest] == [
        ("w-stale", "stale"),
        ("w-dead", "dead"),
    ]
    assert [str(task.id) for task in found.soonest] == [fleet["w-stale"], fleet["w-dead"]]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_many_held_tasks_are_summed_up_with_the_soonest_listed(
    viewer: Client, on_backend: Services, alias: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("dashboard.overview.snapshot.HELD_SHOWN", 2)
    worker_row(alias, "w-dead", "dead", silent=120)
    for lease in (50, 20, 30, 40):
        held_task(alias, "w-dead", lease_in=lease)

    html = viewer.get(URL).content.decode()

    assert 'data-held-by-dead="4"' in html
    assert "4 in all; the 2 listed are those whose rescue comes first." in html
    assert [row.split()[-2] for row in rows_of(html)] in (["20", "30"], ["19", "29"])
    # Nobody beats, so nobody runs the maintenance pass that would rescue them.
    assert "data-no-rescuer" in html


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_without_dead_workers_the_overview_says_so(viewer: Client, on_backend: Services) -> None:
    html = viewer.get(URL).content.decode()

    assert "data-dead-workers>0<" in html
    assert "No running task is held by a dead or silent worker." in html


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_live_region_carries_the_figures(
    viewer: Client, on_backend: Services, alias: str
) -> None:
    worker_row(alias, "w-dead", "dead", silent=120)
    held_task(alias, "w-dead", lease_in=30)

    fragment = viewer.get(URL, headers={"HX-Request": "true"}).content.decode()

    assert fragment.lstrip().startswith('<div id="overview-stats" data-live')
    assert 'data-held-by-dead="1"' in fragment and "rescue due in" in fragment


@pytest.mark.parametrize("backend", ["sqlite"])
def test_worker_ids_are_escaped(viewer: Client, on_backend: Services, alias: str) -> None:
    worker_row(alias, XSS, "dead", silent=120)
    held_task(alias, XSS, lease_in=30)

    html = viewer.get(URL).content.decode()

    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_workers_page_filters_the_dead_of_the_last_hour(
    viewer: Client, on_backend: Services, alias: str
) -> None:
    worker_row(alias, "w-live", "running", silent=1)
    worker_row(alias, "w-dead", "dead", silent=300)
    worker_row(alias, "w-dead-long-ago", "dead", silent=3 * 3600)

    html = viewer.get("/workers/", {"show": "dead"}).content.decode()

    assert 'href="/workers/w-dead/"' in html
    assert "w-live" not in html and "w-dead-long-ago" not in html
    assert "2 other workers hidden." in html
    assert '<option value="dead" selected>' in html
