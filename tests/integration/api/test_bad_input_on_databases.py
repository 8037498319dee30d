"""Input that only a real database would choke on (NUL in text, unstorable dates): 422."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from scheduler_core.bootstrap import Services

from .conftest import post

TASKS = "/api/v1/tasks"

QUERIES: list[tuple[str, str, dict[str, Any], str]] = [
    ("NUL in queue", TASKS, {"queue": "a\x00b"}, "queue"),
    ("NUL in search", TASKS, {"search": "\x00"}, "search"),
    ("NUL in worker", TASKS, {"worker": "w\x00"}, "worker"),
    ("NUL in worker id", "/api/v1/workers/w%00", {}, "worker_id"),
    (
        "year 1 east of UTC",
        TASKS,
        {"enqueued_after": "0001-01-01T00:00:00+01:00"},
        "enqueued_after",
    ),
]


@pytest.mark.parametrize(
    ("url", "params", "field"), [case[1:] for case in QUERIES], ids=[case[0] for case in QUERIES]
)
def test_bad_filters(
    operator: Client, services: Services, url: str, params: dict[str, Any], field: str
) -> None:
    response = operator.get(url, params)

    assert response.status_code == 422, response.content[:300]
    assert response.json()["error"]["field"] == field


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_unstorable_run_after(operator: Client, services: Services, moment: str) -> None:
    response = post(operator, TASKS, {"name": "demo.tasks.noop", "run_after": moment})

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "run_after"
