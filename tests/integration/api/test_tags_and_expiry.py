"""Tags and result_ttl through the API: submitted, shown, listed by ?tag=, bad ones refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from scheduler_core.bootstrap import Services

from .conftest import post

TASKS = "/api/v1/tasks"


def test_tags_and_result_ttl_are_stored_shown_and_filtered(
    operator: Client, services: Services
) -> None:
    body = {"name": "demo.tasks.noop", "tags": ["customer:42", "billing"], "result_ttl": 60}
    created = post(operator, TASKS, body)
    post(operator, TASKS, {"name": "demo.tasks.noop", "tags": ["customer:7"]})

    assert created.status_code == 201
    task = created.json()
    assert (task["tags"], task["result_ttl"], task["result_expired"]) == (
        ["customer:42", "billing"],
        60,
        False,
    )
    listed = operator.get(TASKS, {"tag": "customer:42"}).json()["items"]
    assert [item["id"] for item in listed] == [task["id"]]
    assert operator.get(TASKS, {"tag": "nobody"}).json()["items"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tags": ["has space"]}, "tags"),
        ({"tags": ["x" * 65]}, "tags"),
        ({"tags": [f"t{n}" for n in range(21)]}, "tags"),
        ({"tags": "billing"}, "tags"),
        ({"tags": [3]}, "tags"),
        ({"result_ttl": 0}, "result_ttl"),
        ({"result_ttl": "60"}, "result_ttl"),
        ({"result_ttl": 10**12}, "result_ttl"),
    ],
)
def test_bad_tags_and_ttls_are_field_errors(
    operator: Client, services: Services, body: dict[str, Any], field: str
) -> None:
    response = post(operator, TASKS, {"name": "demo.tasks.noop", **body})

    assert response.status_code == 422
    assert field in response.json()["error"]["field"]


def test_a_bad_tag_filter_is_a_field_error(operator: Client, services: Services) -> None:
    response = operator.get(TASKS, {"tag": "no spaces"})

    assert (response.status_code, response.json()["error"]["field"]) == (422, "tag")
