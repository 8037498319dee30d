"""The per-user submit rate limit: 429 with Retry-After once over it."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django import Settings

from .conftest import MakeClient, post

TASKS = "/api/v1/tasks"


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """The limit lives in the cache, not the task tables: SQLite alone."""
    name: str = request.param
    return name


@pytest.fixture
def limited(settings: Settings, client_for: MakeClient) -> Client:
    """An operator allowed three tasks a minute."""
    settings.SCHEDULER = {
        **settings.SCHEDULER,
        "API_SUBMIT_RATE_LIMIT": 3,
        "API_SUBMIT_RATE_WINDOW": 60,
    }
    return client_for("operator")


def test_over_the_limit_is_429_with_retry_after(limited: Client) -> None:
    codes = [post(limited, TASKS, {"name": "demo.tasks.noop"}).status_code for _ in range(3)]
    response = post(limited, TASKS, {"name": "demo.tasks.noop"})

    assert codes == [201, 201, 201]
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 61


def test_a_batch_counts_each_task(limited: Client) -> None:
    response = post(limited, f"{TASKS}/batch", {"tasks": [{"name": "demo.tasks.noop"}] * 4})

    assert response.status_code == 429


def test_the_limit_is_per_user(limited: Client, client_for: MakeClient) -> None:
    for _ in range(3):
        post(limited, TASKS, {"name": "demo.tasks.noop"})
    other = client_for("operator", username="other")

    assert post(other, TASKS, {"name": "demo.tasks.noop"}).status_code == 201
