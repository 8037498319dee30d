"""The task admin's actions: cancel, retry and run now go through the service, audited."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.test import Client

from scheduler_core.admin import actions as admin_actions
from scheduler_core.bootstrap import reset_services
from scheduler_core.models import AuditEntry, TaskRecord
from scheduler_core.storage.db_clock import DatabaseClock
from tests.roles import role_group

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/scheduler_core/taskrecord/"
XSS = '"><img src=x onerror=alert(1)><script>alert(1)</script>'


@pytest.fixture(autouse=True)
def fresh_services() -> Iterator[None]:
    """Services built from the test settings, so they use the test database."""
    reset_services()
    yield
    reset_services()


def staff(role: str, *, csrf: bool = False) -> Client:
    """A client logged in as a staff user holding `role` ("" for none)."""
    user = User.objects.create_user(f"staff-{role or 'nobody'}", is_staff=True)
    if role:
        user.groups.add(role_group(role))
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def task(status: str, *, name: str = "demo.tasks.add") -> TaskRecord:
    """A stored task in `status`; a delayed one falls due in an hour."""
    now = DatabaseClock("default").now()
    delayed = status in ("scheduled", "retrying")
    return TaskRecord.objects.create(
        name=name,
        status=status,
        attempt=0 if status in ("scheduled", "ready") else 1,
        run_after=now + timedelta(hours=1) if delayed else now,
        enqueued_at=now,
        finished_at=now if status in ("succeeded", "failed", "cancelled") else None,
    )


def act(client: Client, action: str, *tasks: TaskRecord) -> list[str]:
    """POST the action on `tasks` as the changelist form does; the messages shown after."""
    response = client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [str(t.id) for t in tasks], "index": "0"},
    )
    assert response.status_code == 302, response.content[:500]
    return [str(message) for message in get_messages(response.wsgi_request)]


def status_of(record: TaskRecord) -> str:
    """The task's status as stored now."""
    record.refresh_from_db()
    return record.status


def test_operator_cancels_waiting_tasks_and_is_told_which_could_not_be() -> None:
    client = staff("operator")
    ready, scheduled, done = task("ready"), task("scheduled"), task("succeeded")

    shown = act(client, "cancel_tasks", ready, scheduled, done)

    assert [status_of(t) for t in (ready, scheduled, done)] == [
        "cancelled",
        "cancelled",
        "succeeded",
    ]
    assert "Cancelled (or asked the worker to stop) 2 tasks." in shown
    assert any(m.startswith("Could not cancel 1 task:") and str(done.id) in m for m in shown)
    entries = AuditEntry.objects.order_by("from_status")
    assert [(e.action, e.from_status, e.task_ids) for e in entries] == [
        ("admin.cancel", "ready", [str(ready.id)]),
        ("admin.cancel", "scheduled", [str(scheduled.id)]),
    ]
    assert {(e.actor, e.source, e.remote_addr) for e in entries} == {
        ("staff-operator", "admin", "127.0.0.1")
    }


def test_cancelling_a_running_task_asks_its_worker_to_stop() -> None:
    running = task("running")
    act(staff("operator"), "cancel_tasks", running)
    running.refresh_from_db()
    assert (running.status, running.cancel_requested) == ("running", True)


def test_operator_retries_failed_tasks_only() -> None:
    failed, cancelled, ready = task("failed"), task("cancelled"), task("ready")
    shown = act(staff("operator"), "retry_tasks", failed, cancelled, ready)
    assert [status_of(t) for t in (failed, cancelled, ready)] == ["ready", "ready", "ready"]
    assert "Queued again 2 tasks." in shown
    assert any(m.startswith("Could not retry 1 task:") for m in shown)
    assert sorted(AuditEntry.objects.values_list("action", "from_status")) == [
        ("admin.retry", "cancelled"),
        ("admin.retry", "failed"),
    ]


def test_operator_runs_delayed_tasks_now() -> None:
    scheduled, done = task("scheduled"), task("succeeded")
    shown = act(staff("operator"), "run_tasks_now", scheduled, done)
    scheduled.refresh_from_db()
    assert scheduled.status == "ready"
    assert scheduled.run_after <= DatabaseClock("default").now()
    assert "Made due now 1 task." in shown
    assert any(m.startswith("Could not run now 1 task:") for m in shown)
    assert list(AuditEntry.objects.values_list("action", "from_status", "count")) == [
        ("admin.run_now", "scheduled", 1)
    ]


def test_nothing_changed_writes_no_audit_entry() -> None:
    shown = act(staff("operator"), "cancel_tasks", task("succeeded"))
    assert not AuditEntry.objects.exists()
    assert len(shown) == 1


@pytest.mark.parametrize("action", ["cancel_tasks", "retry_tasks", "run_tasks_now"])
def test_a_viewer_is_not_offered_the_actions_and_cannot_post_them(action: str) -> None:
    client = staff("viewer")
    records = [task("ready"), task("failed"), task("scheduled")]
    page = client.get(CHANGELIST).content.decode()
    assert f'value="{action}"' not in page

    client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [str(t.id) for t in records], "index": "0"},
    )

    assert [status_of(t) for t in records] == ["ready", "failed", "scheduled"]
    assert not AuditEntry.objects.exists()


def test_the_operator_sees_the_three_actions() -> None:
    task("ready")
    page = staff("operator").get(CHANGELIST).content.decode()
    for action in ("cancel_tasks", "retry_tasks", "run_tasks_now"):
        assert f'value="{action}"' in page
    assert 'value="delete_selected"' not in page


def test_a_post_without_the_csrf_token_is_refused() -> None:
    ready = task("ready")
    response = staff("operator", csrf=True).post(
        CHANGELIST, {"action": "cancel_tasks", "_selected_action": [str(ready.id)], "index": "0"}
    )
    assert response.status_code == 403
    assert status_of(ready) == "ready"


def test_too_large_a_selection_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(admin_actions, "MAX_TASKS", 2)
    records = [task("ready") for _ in range(3)]
    shown = act(staff("operator"), "cancel_tasks", *records)
    assert [status_of(t) for t in records] == ["ready"] * 3
    assert any("at most 2 tasks" in m for m in shown)
    assert not AuditEntry.objects.exists()


def test_fields_stay_read_only() -> None:
    ready = task("ready")
    client = staff("operator")
    response = client.post(f"{CHANGELIST}{ready.id}/change/", {"status": "succeeded"})
    assert response.status_code == 403
    assert status_of(ready) == "ready"


def test_the_admin_lists_escape_task_names_and_audit_actors() -> None:
    task("ready", name=XSS)
    AuditEntry.objects.create(actor=XSS, action="cancel", source="dashboard", target=XSS)
    client = staff("operator")
    for url in (CHANGELIST, "/admin/scheduler_core/auditentry/"):
        page = client.get(url).content.decode()
        assert "<script>alert(1)" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_search_and_filters_answer() -> None:
    wanted = task("failed", name="demo.tasks.fail")
    other = task("ready")
    client = staff("operator")
    by_search = client.get(CHANGELIST, {"q": "demo.tasks.fail"}).content.decode()
    by_status = client.get(CHANGELIST, {"status__exact": "failed"}).content.decode()
    for found in (by_search, by_status):
        assert str(wanted.id) in found
        assert str(other.id) not in found
    old = task("ready")
    TaskRecord.objects.filter(id=old.id).update(
        enqueued_at=DatabaseClock("default").now() - timedelta(days=30)
    )
    # Follow the filter's own "Past 7 days" link, as a user would.
    page = client.get(CHANGELIST).content.decode()
    link = re.search(r'<a href="([^"]*)"[^>]*>Past 7 days</a>', page)
    assert link
    recent = client.get(CHANGELIST + html.unescape(link.group(1))).content.decode()
    assert str(wanted.id) in recent
    assert str(old.id) not in recent
    workers = client.get("/admin/scheduler_core/workerrecord/", {"q": "host"})
    audit = client.get("/admin/scheduler_core/auditentry/", {"source__exact": "api"})
    assert workers.status_code == audit.status_code == 200
