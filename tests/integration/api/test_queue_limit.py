"""PUT /queues/{name}/limit: a concurrency limit shared by every worker, listed by GET /queues."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.models import AuditEntry
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository

from .conftest import MakeClient

API = "/api/v1/queues"
LEASE = timedelta(minutes=1)


def put(client: Client, url: str, body: Any) -> Any:
    """PUT `body` as JSON."""
    return client.put(url, body, content_type="application/json")


def test_a_limit_caps_claims_and_is_listed_until_lifted(
    operator: Client, services: Services, alias: str
) -> None:
    for _ in range(4):
        services.tasks.submit(SubmitRequest(name="demo.tasks.noop", queue="mail"))
    queue = DjangoQueue(DjangoTaskRepository(alias))

    response = put(operator, f"{API}/mail/limit", {"limit": 2})
    listed = {q["name"]: q for q in operator.get(API).json()}

    assert response.status_code == 200
    assert response.json() == {"name": "mail", "limit": 2}
    assert listed["mail"]["limit"] == 2
    assert len(queue.claim("w1", ["mail"], 10, LEASE)) == 2
    assert queue.claim("w2", ["mail"], 10, LEASE) == []

    lifted = put(operator, f"{API}/mail/limit", {"limit": None})

    assert lifted.json() == {"name": "mail", "limit": None}
    assert operator.get(API).json()[0]["limit"] is None
    assert len(queue.claim("w2", ["mail"], 10, LEASE)) == 2
    entries = AuditEntry.objects.using(alias).order_by("id")
    assert [(e.action, e.target, e.source, e.details) for e in entries] == [
        ("set_queue_limit", "mail", "api", {"limit": 2, "previous": None}),
        ("clear_queue_limit", "mail", "api", {"limit": None, "previous": 2}),
    ]
    queue.close()


def test_a_changed_limit_is_audited_with_the_one_it_replaced(
    operator: Client, services: Services, alias: str
) -> None:
    services.tasks.set_queue_limit("mail", 3)

    assert put(operator, f"{API}/mail/limit", {"limit": 5}).status_code == 200

    [entry] = AuditEntry.objects.using(alias).all()
    assert (entry.action, entry.target, entry.source) == ("set_queue_limit", "mail", "api")
    assert entry.details == {"limit": 5, "previous": 3}


def test_an_empty_limited_queue_is_listed(operator: Client, services: Services) -> None:
    put(operator, f"{API}/idle/limit", {"limit": 7})

    [idle] = operator.get(API).json()

    assert (idle["name"], idle["limit"], idle["paused"]) == ("idle", 7, False)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": -2}, "limit"),
        ({"limit": 100_001}, "limit"),
        ({"limit": "3"}, "limit"),
        ({"limit": 2.5}, "limit"),
        ({"limit": True}, "limit"),
        ({}, "limit"),
    ],
)
def test_bad_limits_get_a_field_error_and_change_nothing(
    operator: Client, services: Services, body: dict[str, Any], field: str
) -> None:
    response = put(operator, f"{API}/mail/limit", body)

    assert response.status_code == 422
    assert field in response.json()["error"]["field"]
    assert services.tasks.queue_limits() == {}


def test_limiting_needs_the_permission_and_a_valid_name(
    client_for: MakeClient, operator: Client, services: Services, alias: str
) -> None:
    assert put(client_for("viewer"), f"{API}/mail/limit", {"limit": 1}).status_code == 403
    bad = put(operator, f"{API}/no%20spaces/limit", {"limit": 1})

    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "queue")
    assert services.tasks.queue_limits() == {}
    assert not AuditEntry.objects.using(alias).exists()
