"""The queue page: load per queue, and the pause, resume and limit actions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.models import AuditEntry, TaskRecord
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository
from tests.integration.dashboard.conftest import LoginAs

LIST = reverse("dashboard:queues:list")
LEASE = timedelta(minutes=1)
XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


def url(action: str, queue: str) -> str:
    return reverse(f"dashboard:queues:{action}", args=[queue])


def submit(services: Services, queue: str, count: int = 1, **fields: Any) -> list[Task]:
    """Submit `count` demo tasks to `queue`."""
    return [
        services.tasks.submit(SubmitRequest(name="demo.tasks.noop", queue=queue, **fields)).task
        for _ in range(count)
    ]


def claim(queue: str, limit: int = 10) -> list[Task]:
    """What a worker's real claim statement takes from `queue` now."""
    return DjangoQueue(DjangoTaskRepository()).claim("w1", [queue], limit, LEASE)


def row_of(html: str, queue: str) -> str:
    """The table row of the queue named `queue`."""
    [row] = [row for row in html.split("<tr")[1:] if f'?queue={queue}">{queue}</a>' in row]
    return row


def cells(row: str) -> list[str]:
    """The text of the row's numeric cells, in order."""
    return [cell.split("<")[0] for cell in row.split('<td class="num">')[1:]]


def test_each_queue_shows_its_load(viewer: Client, services: Services) -> None:
    submit(services, "mail", 4)
    submit(services, "mail", 2, run_after=services.clock.now() + timedelta(hours=1))
    submit(services, "reports", 1, max_attempts=1)
    claim("mail", 1)
    [taken] = claim("reports")
    services.workers.fail(taken, RuntimeError("boom"), retryable=False)

    html = viewer.get(LIST).content.decode()

    # due, scheduled, running, retrying, failed in the last hour
    assert cells(row_of(html, "mail")) == ["3", "2", "1", "0", "0"]
    assert cells(row_of(html, "reports")) == ["0", "0", "0", "0", "1"]
    assert "data-live" in html and 'id="live-toggle"' in html


def test_pause_stops_a_real_claim_and_resume_restores_it(
    operator: Client, services: Services
) -> None:
    [task] = submit(services, "mail")

    response = operator.post(url("pause", "mail"))

    assert response.status_code == 303
    assert services.tasks.paused_queues() == {"mail"}
    assert claim("mail") == []
    assert "badge-paused" in row_of(operator.get(LIST).content.decode(), "mail")

    operator.post(url("resume", "mail"))

    assert [t.id for t in claim("mail")] == [task.id]
    entries = AuditEntry.objects.order_by("id")
    assert [(e.action, e.target, e.source) for e in entries] == [
        ("pause_queue", "mail", "dashboard"),
        ("resume_queue", "mail", "dashboard"),
    ]


def test_a_limit_caps_a_real_claim_and_clear_lifts_it(operator: Client, services: Services) -> None:
    submit(services, "mail", 5)

    response = operator.post(url("limit", "mail"), {"limit": "2"})

    assert response.status_code == 303
    assert services.tasks.queue_limits() == {"mail": 2}
    assert len(claim("mail")) == 2
    assert claim("mail") == []
    page = operator.get(LIST).content.decode()
    assert 'value="2"' in row_of(page, "mail") and "(full)" in row_of(page, "mail")

    operator.post(url("limit", "mail"), {"limit": "", "clear": "1"})

    assert services.tasks.queue_limits() == {}
    assert len(claim("mail")) == 3
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "target", "details"))
    assert actions == [
        ("set_queue_limit", "mail", {"limit": 2, "previous": None}),
        ("clear_queue_limit", "mail", {"limit": None, "previous": 2}),
    ]


def test_a_changed_limit_is_audited_with_the_one_it_replaced(
    operator: Client, services: Services
) -> None:
    services.tasks.set_queue_limit("mail", 4)

    operator.post(url("limit", "mail"), {"limit": "7"})

    [record] = AuditEntry.objects.all()
    assert (record.action, record.target, record.source) == ("set_queue_limit", "mail", "dashboard")
    assert record.details == {"limit": 7, "previous": 4}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "greater than or equal to 1"),
        ("-3", "greater than or equal to 1"),
        ("many", "whole number"),
        ("2.5", "whole number"),
        ("100001", "less than or equal to 100000"),
        ("", "Enter a limit"),
    ],
)
def test_a_bad_limit_is_a_field_error_that_keeps_the_input(
    operator: Client, services: Services, value: str, message: str
) -> None:
    submit(services, "mail")
    services.tasks.set_queue_limit("mail", 4)

    response = operator.post(url("limit", "mail"), {"limit": value})

    html = response.content.decode()
    row = row_of(html, "mail")
    assert response.status_code == 400
    assert message in row
    assert 'aria-invalid="true"' in row
    assert f'value="{value}"' in row
    # The error would vanish in the next poll, so the page does not poll.
    assert "data-live" not in html
    assert services.tasks.queue_limits() == {"mail": 4}
    assert not AuditEntry.objects.exists()


def test_a_bad_queue_name_changes_nothing(operator: Client, services: Services) -> None:
    for action, data in (("pause", {}), ("resume", {}), ("limit", {"limit": "3"})):
        response = operator.post(url(action, "no spaces"), data, follow=True)
        assert "Nothing changed" in response.content.decode()
    assert services.tasks.paused_queues() == frozenset()
    assert services.tasks.queue_limits() == {}
    assert not AuditEntry.objects.exists()


def test_a_viewer_sees_no_forms_and_gets_403_on_every_action(
    viewer: Client, services: Services
) -> None:
    submit(services, "mail")

    html = viewer.get(LIST).content.decode()

    assert "<form" not in html.split('<div id="queues"')[1]
    for action, data in (("pause", {}), ("resume", {}), ("limit", {"limit": "3"})):
        assert viewer.post(url(action, "mail"), data).status_code == 403
    assert services.tasks.paused_queues() == frozenset()
    assert services.tasks.queue_limits() == {}


def test_actions_need_the_csrf_token(login_as: LoginAs, services: Services) -> None:
    browser = login_as("operator", csrf=True)
    for action, data in (("pause", {}), ("resume", {}), ("limit", {"limit": "3"})):
        assert browser.post(url(action, "mail"), data).status_code == 403
    assert services.tasks.paused_queues() == frozenset()
    assert services.tasks.queue_limits() == {}


def test_get_never_changes_anything(operator: Client, services: Services) -> None:
    submit(services, "mail")
    for action in ("pause", "resume", "limit"):
        assert operator.get(url(action, "mail"), {"limit": "3"}).status_code == 405
    operator.get(LIST)
    assert services.tasks.paused_queues() == frozenset()
    assert services.tasks.queue_limits() == {}
    assert not AuditEntry.objects.exists()


def test_paused_limited_and_served_queues_show_without_tasks(
    viewer: Client, services: Services
) -> None:
    services.tasks.pause_queue("idle")
    services.tasks.set_queue_limit("capped", 3)

    html = viewer.get(LIST).content.decode()

    assert "badge-paused" in row_of(html, "idle")
    assert "/ 3" in row_of(html, "capped")


def test_htmx_polls_get_the_table_alone(viewer: Client, services: Services) -> None:
    submit(services, "mail")

    fragment = viewer.get(LIST, headers={"HX-Request": "true"}).content.decode()

    assert fragment.lstrip().startswith('<div id="queues"')
    assert "<html" not in fragment and ">mail</a>" in fragment


@pytest.mark.parametrize("payload", XSS)
def test_queue_names_written_around_the_services_are_escaped(
    operator: Client, services: Services, payload: str
) -> None:
    # The services refuse such names; a row written straight to the table must still be safe.
    [task] = submit(services, "mail")
    TaskRecord.objects.filter(id=task.id).update(queue=payload)

    response = operator.get(LIST)

    html = response.content.decode()
    assert response.status_code == 200
    assert payload not in html
    assert "&lt;" in html
