"""The per-user submit rate limit: 429 with Retry-After once over it, on both engines.

A sliding window shared by the API and the dashboard's submit form, counted in the database.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import Settings

from scheduler_core.bootstrap import Services
from scheduler_core.web import submit_rate

from .conftest import MakeClient, post

TASKS = "/api/v1/tasks"


@pytest.fixture
def limited(settings: Settings, client_for: MakeClient) -> Client:
    """An operator allowed three tasks a minute."""
    settings.SCHEDULER = {
        **settings.SCHEDULER,
        "SUBMIT_RATE_LIMIT": 3,
        "SUBMIT_RATE_WINDOW": 60,
    }
    return client_for("operator")


def test_over_the_limit_is_429_with_retry_after(limited: Client) -> None:
    codes = [post(limited, TASKS, {"name": "demo.tasks.noop"}).status_code for _ in range(3)]
    response = post(limited, TASKS, {"name": "demo.tasks.noop"})

    assert codes == [201, 201, 201]
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    # Until enough of the submits slide out of the last 60 s: within two windows.
    assert 1 <= int(response["Retry-After"]) <= 120


def test_a_batch_counts_each_task(limited: Client) -> None:
    response = post(limited, f"{TASKS}/batch", {"tasks": [{"name": "demo.tasks.noop"}] * 4})

    assert response.status_code == 429


def test_the_limit_is_per_user(limited: Client, client_for: MakeClient) -> None:
    for _ in range(3):
        post(limited, TASKS, {"name": "demo.tasks.noop"})
    other = client_for("operator", username="other")

    assert post(other, TASKS, {"name": "demo.tasks.noop"}).status_code == 201


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """Set the limiter's clock to a number of seconds into a window."""

    def at(seconds: float) -> None:
        monkeypatch.setattr(submit_rate, "_now", lambda: 1_800_000_000 // 60 * 60 + seconds)

    return at


def test_the_window_slides_across_its_boundary(
    limited: Client, clock: Callable[[float], None]
) -> None:
    clock(50)
    assert [post(limited, TASKS, {"name": "demo.tasks.noop"}).status_code for _ in range(3)] == [
        201
    ] * 3

    # A fixed window would start counting from 0 here, letting twice the limit through.
    clock(61)
    refused = post(limited, TASKS, {"name": "demo.tasks.noop"})
    clock(61 + int(refused["Retry-After"]))
    allowed = post(limited, TASKS, {"name": "demo.tasks.noop"})

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert allowed.status_code == 201


def test_a_batch_larger_than_the_limit_says_so(limited: Client) -> None:
    response = post(limited, f"{TASKS}/batch", {"tasks": [{"name": "demo.tasks.noop"}] * 4})

    assert "submit fewer at a time" in response.json()["error"]["message"]


def test_the_dashboard_form_shares_the_limit(
    limited: Client, services: Services, client_for: MakeClient
) -> None:
    for _ in range(2):
        post(limited, TASKS, {"name": "demo.tasks.noop"})
    browser = Client()
    browser.force_login(User.objects.get(username="operator-user"))
    form = {"task": "demo.tasks.noop", "args": "[]", "kwargs": "{}", "time_zone": "UTC"}

    first = browser.post("/tasks/new/", form)
    second = browser.post("/tasks/new/", form)

    assert first.status_code == 303
    assert second.status_code == 429
    assert "more than 3 tasks submitted in 60 s" in second.content.decode()
    assert sum(services.tasks.counts().values()) == 3
