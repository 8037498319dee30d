"""The failures page: failed attempts grouped by task name and error type, with bulk
actions through the filter path; and the error in failed and retrying rows of the list.

Run on SQLite and PostgreSQL: both must group, count and order alike.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, TaskError, TaskStatus
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.models import AuditEntry
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository

URL = "/failures/"
XSS = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'

Fail = Callable[..., Task]


@pytest.fixture
def fail(on_backend: Services, alias: str) -> Fail:
    """A task that ran and failed with `kind`: failed for good, or retrying if attempts remain."""

    def make(
        kind: str = "builtins.ValueError",
        *,
        name: str = "demo.tasks.add",
        ago: timedelta = timedelta(minutes=5),
        message: str = "boom",
        max_attempts: int = 1,
        **fields: Any,
    ) -> Task:
        fields.setdefault("args", [1, 2] if name == "demo.tasks.add" else [])
        task = on_backend.tasks.submit(
            SubmitRequest(name=name, max_attempts=max_attempts, **fields)
        ).task
        queue = DjangoQueue(DjangoTaskRepository(alias))
        [claimed] = [
            t for t in queue.claim("w1", [task.queue], 50, timedelta(minutes=5)) if t.id == task.id
        ]
        error = TaskError(
            attempt=claimed.attempt,
            exception_type=kind,
            message=message,
            traceback=f"Traceback (most recent call last):\n{kind}: {message}",
            failed_at=on_backend.clock.now() - ago,
            worker_id="w1",
        )
        return on_backend.workers.fail(claimed, error)

    return make


def group_rows(body: str) -> list[list[str]]:
    """The cells of the failures table, tags stripped, one list per group."""
    table = re.search(r'<table class="failures">.*?<tbody>(.*?)</tbody>', body, re.S)
    assert table, "no failures table"
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


def links(body: str, label: str) -> list[str]:
    """The targets of the links with this text, unescaped."""
    return [
        html.unescape(href)
        for href, text in re.findall(r'href="([^"]+)"[^>]*>([^<]+)<', body)
        if text == label
    ]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_failed_attempts_are_grouped_by_name_and_error_type_biggest_first(
    viewer: Client, fail: Fail
) -> None:
    for minutes in (50, 30, 10):
        fail("builtins.ValueError", ago=timedelta(minutes=minutes), message=f"bad {minutes}")
    fail("builtins.KeyError", ago=timedelta(minutes=20))
    fail("builtins.ValueError", name="demo.tasks.noop", ago=timedelta(minutes=20))
    fail("builtins.ValueError", ago=timedelta(days=2))

    rows = group_rows(viewer.get(URL).content.decode())

    assert [row[:4] for row in rows] == [
        ["demo.tasks.add", "ValueError", "3", "3"],
        # Two groups of one: ordered by name, then error type.
        ["demo.tasks.add", "KeyError", "1", "1"],
        ["demo.tasks.noop", "ValueError", "1", "1"],
    ]
    first, last = rows[0][4], rows[0][5]
    assert first.startswith("50 min") and last.startswith("10 min")
    # The newest attempt's error stands for the group.
    assert rows[0][6].startswith("bad 10 Traceback")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_window_decides_which_attempts_count(viewer: Client, fail: Fail) -> None:
    fail(ago=timedelta(minutes=90))
    fail(ago=timedelta(days=3))
    fail(ago=timedelta(days=20))

    def attempts(window: str) -> list[str]:
        return [row[2] for row in group_rows(viewer.get(f"{URL}?window={window}").content.decode())]

    assert "No attempt failed in the last hour" in viewer.get(f"{URL}?window=1h").content.decode()
    assert attempts("24h") == ["1"]
    assert attempts("7d") == ["2"]
    assert attempts("30d") == ["3"]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_group_links_to_its_tasks_in_the_list(viewer: Client, fail: Fail) -> None:
    mine = [fail("builtins.ValueError") for _ in range(2)]
    other_type = fail("builtins.KeyError")
    long_ago = fail("builtins.ValueError", ago=timedelta(days=2))

    body = viewer.get(URL).content.decode()
    [tasks_url] = [url for url in links(body, "demo.tasks.add") if "ValueError" in url]
    listed = viewer.get(tasks_url).content.decode()

    shown = set(re.findall(r'href="/tasks/([0-9a-f-]{36})/"', listed))
    assert shown == {str(task.id) for task in mine}
    assert str(other_type.id) not in shown and str(long_ago.id) not in shown


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_retry_all_of_a_group_goes_through_the_confirm_page_and_the_audit_log(
    operator: Client, on_backend: Services, alias: str, fail: Fail
) -> None:
    doomed = [fail("builtins.ValueError") for _ in range(3)]
    other = fail("builtins.KeyError")

    body = operator.get(URL).content.decode()
    [retry_url] = [url for url in links(body, "Retry all…") if "ValueError" in url]
    confirm = operator.get(retry_url).content.decode()
    assert re.search(r'id="bulk-count">3<', confirm)

    response = operator.post(retry_url)

    assert response.status_code == 303
    for task in doomed:
        assert on_backend.tasks.status(task.id).status is TaskStatus.READY
    assert on_backend.tasks.status(other.id).status is TaskStatus.FAILED
    entry = AuditEntry.objects.using(alias).get()
    assert entry.action == "bulk_retry" and entry.count == 3
    assert "error=builtins.ValueError" in entry.target


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_cancel_all_of_a_group_cancels_the_tasks_still_waiting_to_retry(
    operator: Client, on_backend: Services, alias: str, fail: Fail
) -> None:
    retrying = [fail("builtins.TimeoutError", max_attempts=3) for _ in range(2)]
    finished = fail("builtins.TimeoutError")

    body = operator.get(URL).content.decode()
    [cancel_url] = links(body, "Cancel all…")
    assert re.search(r'id="bulk-count">2<', operator.get(cancel_url).content.decode())
    operator.post(cancel_url)

    for task in retrying:
        assert on_backend.tasks.status(task.id).status is TaskStatus.CANCELLED
    assert on_backend.tasks.status(finished.id).status is TaskStatus.FAILED
    assert AuditEntry.objects.using(alias).get().action == "bulk_cancel"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_viewer_sees_the_groups_but_no_actions(viewer: Client, fail: Fail) -> None:
    fail()

    body = viewer.get(URL).content.decode()

    assert group_rows(body)
    assert not links(body, "Retry all…") and not links(body, "Cancel all…")
    assert "/tasks/bulk/" not in body


@pytest.mark.parametrize("backend", ["sqlite"])
def test_error_types_messages_and_tracebacks_are_escaped(viewer: Client, fail: Fail) -> None:
    fail(XSS, message=XSS)

    body = viewer.get(URL).content.decode()

    assert "<script>alert(1)" not in body and "<img src=x" not in body
    assert "&lt;script&gt;" in body


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_failed_and_retrying_rows_of_the_list_show_their_latest_error(
    viewer: Client, fail: Fail, on_backend: Services
) -> None:
    fail("builtins.ValueError", message="no such order 7")
    fail("myapp.errors.Upstream", message="gateway said 502", max_attempts=3)
    on_backend.tasks.submit(SubmitRequest(name="demo.tasks.add", args=[1, 2]))

    body = viewer.get("/tasks/").content.decode()

    errors = [
        " ".join(re.sub(r"<[^>]+>", " ", e).split())
        for e in re.findall(r'<div class="row-error"[^>]*>(.*?)</div>', body, re.S)
    ]
    assert errors == ["Upstream gateway said 502", "ValueError no such order 7"]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_page_needs_a_login(client: Client, on_backend: Services) -> None:
    response = client.get(URL)

    assert response.status_code == 302 and "/login" in response["Location"]
