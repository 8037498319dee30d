"""PUT/DELETE /queues/{name}/rate: a rate limit shared by every worker, listed by GET /queues."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.domain.queue_rates import QueueRate
from scheduler_core.models import AuditEntry
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository

from .conftest import MakeClient

API = "/api/v1/queues"
LEASE = timedelta(minutes=1)


def put(client: Client, url: str, body: Any) -> Any:
    """PUT `body` as JSON."""
    return client.put(url, body, content_type="application/json")


def test_a_rate_caps_claims_and_is_listed_until_lifted(
    operator: Client, services: Services, alias: str
) -> None:
    for _ in range(5):
        services.tasks.submit(SubmitRequest(name="demo.tasks.noop", queue="mail"))
    queue = DjangoQueue(DjangoTaskRepository(alias))

    response = put(operator, f"{API}/mail/rate", {"limit": 2, "per": "minute"})
    listed = {q["name"]: q for q in operator.get(API).json()}

    rate = {"limit": 2, "per": "minute", "partition_by": None}
    assert response.status_code == 200
    assert response.json() == {"name": "mail", "rate": rate}
    assert listed["mail"]["rate"] == rate
    assert len(queue.claim("w1", ["mail"], 10, LEASE)) == 2
    assert queue.claim("w2", ["mail"], 10, LEASE) == []

    lifted = operator.delete(f"{API}/mail/rate")

    assert lifted.json() == {"name": "mail", "rate": None}
    assert operator.get(API).json()[0]["rate"] is None
    assert len(queue.claim("w2", ["mail"], 10, LEASE)) == 3
    entries = AuditEntry.objects.using(alias).order_by("id")
    assert [(e.action, e.target, e.source, e.details) for e in entries] == [
        ("set_queue_rate", "mail", "api", {"rate": rate, "previous": None}),
        ("clear_queue_rate", "mail", "api", {"rate": None, "previous": rate}),
    ]
    queue.close()


def test_a_null_limit_lifts_the_rate_too(operator: Client, services: Services) -> None:
    services.tasks.set_queue_rate("mail", QueueRate(4))

    response = put(operator, f"{API}/mail/rate", {"limit": None})

    assert response.json() == {"name": "mail", "rate": None}
    assert services.tasks.queue_rates() == {}


def test_a_partitioned_rate_is_kept(operator: Client, services: Services) -> None:
    body = {"limit": 3, "per": "second", "partition_by": "customer_id"}

    assert put(operator, f"{API}/idle/rate", body).status_code == 200

    [idle] = operator.get(API).json()
    assert idle["rate"] == body
    assert services.tasks.queue_rates() == {"idle": QueueRate(3, "second", "customer_id")}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 100_001}, "limit"),
        ({"limit": "3"}, "limit"),
        ({"limit": 2.5}, "limit"),
        ({}, "limit"),
        ({"limit": 3, "per": "hour"}, "per"),
        ({"limit": 3, "partition_by": "not a name"}, "partition_by"),
        ({"limit": 3, "partition_by": 7}, "partition_by"),
    ],
)
def test_bad_rates_get_a_field_error_and_change_nothing(
    operator: Client, services: Services, alias: str, body: dict[str, Any], field: str
) -> None:
    response = put(operator, f"{API}/mail/rate", body)

    assert response.status_code == 422
    assert field in response.json()["error"]["field"]
    assert services.tasks.queue_rates() == {}
    assert not AuditEntry.objects.using(alias).exists()


def test_rating_needs_the_permission_and_a_valid_name(
    client_for: MakeClient, operator: Client, services: Services, alias: str
) -> None:
    viewer = client_for("viewer")
    assert put(viewer, f"{API}/mail/rate", {"limit": 1}).status_code == 403
    assert viewer.delete(f"{API}/mail/rate").status_code == 403
    bad = put(operator, f"{API}/no%20spaces/rate", {"limit": 1})

    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "queue")
    assert services.tasks.queue_rates() == {}
    assert not AuditEntry.objects.using(alias).exists()
