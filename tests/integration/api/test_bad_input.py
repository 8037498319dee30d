"""The bad-input catalogue: each hostile or broken request gets a clear 4xx, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from scheduler_core.bootstrap import Services

TASKS = "/api/v1/tasks"
ADD = '{"name": "demo.tasks.add", "args": [%s, 1]}'


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """Input checks happen before storage: SQLite alone."""
    name: str = request.param
    return name


# (case, raw JSON body, expected status, expected error field)
BODIES: list[tuple[str, str, int, str | None]] = [
    ("dotted import path", '{"name": "os.system", "args": ["id"]}', 422, "name"),
    ("builtin", '{"name": "builtins.eval", "args": ["1"]}', 422, "name"),
    ("not a name", '{"name": "../etc/passwd"}', 422, "name"),
    ("NUL in name", '{"name": "demo.tasks.add\\u0000"}', 422, "name"),
    ("NUL in argument", ADD % '"a\\u0000b"', 422, "args[0]"),
    ("1e309", ADD % "1e309", 422, "args[0]"),
    ("10,000-digit integer", ADD % ("9" * 10_000), 400, None),
    ("deep nesting", ADD % ("[" * 100 + "]" * 100), 422, "args[0]" + "[0]" * 64),
    ("stack-deep nesting", ADD % ("[" * 200_000 + "]" * 200_000), 400, None),
    ("not JSON", "name=demo.tasks.add", 400, None),
    ("a JSON list", "[1, 2]", 422, None),
    ("unknown field", '{"name": "demo.tasks.noop", "command": "rm"}', 422, "command"),
    ("priority as text", '{"name": "demo.tasks.noop", "priority": "9"}', 422, "priority"),
    ("priority too high", '{"name": "demo.tasks.noop", "priority": 101}', 422, "priority"),
    (
        "naive run_after",
        '{"name": "demo.tasks.noop", "run_after": "2030-01-01T00:00"}',
        422,
        "run_after",
    ),
    ("infinite timeout", '{"name": "demo.tasks.noop", "timeout": 1e309}', 422, "timeout"),
    ("kwargs a list", '{"name": "demo.tasks.noop", "kwargs": []}', 422, "kwargs"),
    ("empty body", "", 422, None),
]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [case[1:] for case in BODIES],
    ids=[case[0] for case in BODIES],
)
def test_bad_submit_bodies(
    operator: Client, services: Services, body: str, status: int, field: str | None
) -> None:
    response = operator.post(TASKS, body, content_type="application/json")

    assert response.status_code == status, response.content[:300]
    error = response.json()["error"]
    assert error["code"] and error["message"]
    if field is not None:
        assert error["field"] == field
    assert sum(services.tasks.counts().values()) == 0


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_wrong_content_type_is_415(operator: Client, content_type: str) -> None:
    response = operator.post(TASKS, '{"name": "demo.tasks.noop"}', content_type=content_type)

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_a_body_over_the_limit_is_413(operator: Client) -> None:
    body = '{"name": "demo.tasks.noop", "args": ["%s"]}' % ("x" * (2 * 1024 * 1024))

    response = operator.post(TASKS, body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


QUERIES: list[tuple[str, str, dict[str, Any], str]] = [
    ("huge limit", TASKS, {"limit": 10_000_000}, "limit"),
    ("zero limit", TASKS, {"limit": 0}, "limit"),
    ("negative limit", TASKS, {"limit": -1}, "limit"),
    ("bad cursor", TASKS, {"cursor": "not-a-cursor"}, "cursor"),
    ("forged cursor", TASKS, {"cursor": "WzEsMl0"}, "cursor"),
    ("unknown status", TASKS, {"status": "exploded"}, "status.0"),
    ("naive date", TASKS, {"enqueued_after": "2030-01-01T00:00"}, "enqueued_after"),
    ("not a task id", f"{TASKS}/12", {}, "task_id"),
]


@pytest.mark.parametrize(
    ("url", "params", "field"), [case[1:] for case in QUERIES], ids=[case[0] for case in QUERIES]
)
def test_bad_queries(operator: Client, url: str, params: dict[str, Any], field: str) -> None:
    response = operator.get(url, params)

    assert response.status_code in (400, 422), response.content[:300]
    assert response.json()["error"]["field"] == field
