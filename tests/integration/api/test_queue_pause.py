"""POST /queues/{name}/pause and /resume: claims skip a paused queue until it is resumed."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.models import AuditEntry
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository

from .conftest import MakeClient, post

API = "/api/v1/queues"
LEASE = timedelta(minutes=1)


def test_pause_stops_claims_and_resume_restores_them(
    operator: Client, services: Services, alias: str
) -> None:
    task = services.tasks.submit(SubmitRequest(name="demo.tasks.noop", queue="mail")).task
    queue = DjangoQueue(DjangoTaskRepository(alias))

    paused = post(operator, f"{API}/mail/pause")
    again = post(operator, f"{API}/mail/pause")
    listed = {q["name"]: q for q in operator.get(API).json()}

    assert paused.json() == {"name": "mail", "paused": True, "changed": True}
    assert again.json()["changed"] is False
    assert listed["mail"]["paused"] is True
    assert queue.claim("w1", ["mail"], 5, LEASE) == []

    resumed = post(operator, f"{API}/mail/resume")

    assert resumed.json() == {"name": "mail", "paused": False, "changed": True}
    assert [t.id for t in queue.claim("w1", ["mail"], 5, LEASE)] == [task.id]
    entries = AuditEntry.objects.using(alias).order_by("id")
    assert [(e.action, e.target) for e in entries] == [
        ("pause_queue", "mail"),
        ("pause_queue", "mail"),
        ("resume_queue", "mail"),
    ]
    queue.close()


def test_an_empty_paused_queue_is_listed(operator: Client, services: Services) -> None:
    post(operator, f"{API}/idle/pause")

    [idle] = operator.get(API).json()

    assert (idle["name"], idle["paused"], idle["counts"]["ready"]) == ("idle", True, 0)


def test_pausing_needs_the_permission_and_a_valid_name(
    client_for: MakeClient, operator: Client, services: Services
) -> None:
    assert post(client_for("viewer"), f"{API}/mail/pause").status_code == 403
    bad = post(operator, f"{API}/no%20spaces/pause")
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "queue")
    assert services.tasks.paused_queues() == frozenset()
