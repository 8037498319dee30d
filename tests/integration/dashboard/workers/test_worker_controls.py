"""Quiet and stop from a worker's page: operator role, POST with CSRF, audited; the page
says whether the worker obeyed. (The worker's side: tests/integration/worker/
test_operator_controls.py.)"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from scheduler_core.bootstrap import Services
from scheduler_core.domain import WorkerState
from scheduler_core.domain.worker_commands import WorkerCommand
from scheduler_core.models import AuditEntry, WorkerCommandRecord
from tests.integration.dashboard.conftest import LoginAs

from .test_worker_pages import add_worker


def url(action: str, worker_id: str = "w-1") -> str:
    return reverse(f"dashboard:workers:{action}", args=[worker_id])


@pytest.mark.parametrize("command", ["quiet", "stop"])
def test_an_operator_asks_and_the_audit_log_says_so(
    operator: Client, services: Services, command: str
) -> None:
    add_worker(services, "w-1")

    response = operator.post(url(command))

    assert response.status_code == 303
    assert services.control.command_of("w-1").command is WorkerCommand(command)  # type: ignore[union-attr]
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.target, entry.from_status) == (
        f"worker_{command}",
        "worker w-1",
        "running",
    )


def test_the_page_shows_the_buttons_and_whether_the_worker_obeyed(
    operator: Client, services: Services
) -> None:
    add_worker(services, "w-1")
    page = url("detail")
    assert 'action="/workers/w-1/quiet/"' in operator.get(page).content.decode()

    operator.post(url("quiet"))
    waiting = operator.get(page).content.decode()
    services.control.obeyed("w-1", WorkerCommand.QUIET)
    obeyed = operator.get(page).content.decode()

    assert 'data-command="quiet" data-obeyed="no"' in waiting
    assert "waiting for the worker to read it" in waiting
    assert 'data-command="quiet" data-obeyed="yes"' in obeyed


def test_a_viewer_sees_no_buttons_and_may_not_ask(viewer: Client, services: Services) -> None:
    add_worker(services, "w-1")

    assert "/quiet/" not in viewer.get(url("detail")).content.decode()
    assert viewer.post(url("quiet")).status_code == 403
    assert viewer.post(url("stop")).status_code == 403
    assert not WorkerCommandRecord.objects.exists()


def test_a_get_changes_nothing_and_csrf_is_required(login_as: LoginAs, services: Services) -> None:
    add_worker(services, "w-1")
    browser = login_as("operator", csrf=True)

    assert browser.get(url("stop")).status_code == 405
    assert browser.post(url("stop")).status_code == 403
    assert not WorkerCommandRecord.objects.exists()


def test_a_stopped_worker_is_not_asked(operator: Client, services: Services) -> None:
    add_worker(services, "w-1", state=WorkerState.STOPPED)

    response = operator.post(url("stop"), follow=True)

    assert "has already stopped" in response.content.decode()
    assert not WorkerCommandRecord.objects.exists()
    assert "/stop/" not in operator.get(url("detail")).content.decode()


def test_an_unknown_worker_is_a_404(operator: Client, services: Services) -> None:
    assert operator.post(url("quiet", "nobody")).status_code == 404


def test_a_quiet_worker_is_resumed_from_its_page_and_audited(
    operator: Client, services: Services
) -> None:
    add_worker(services, "w-1")
    page = url("detail")
    operator.post(url("quiet"))
    quiet = operator.get(page).content.decode()
    assert 'action="/workers/w-1/resume/"' in quiet and 'action="/workers/w-1/quiet/"' not in quiet

    response = operator.post(url("resume"))

    assert response.status_code == 303
    assert services.control.command_of("w-1").command is WorkerCommand.RESUME  # type: ignore[union-attr]
    assert AuditEntry.objects.filter(action="worker_resume", target="worker w-1").count() == 1
    assert 'action="/workers/w-1/quiet/"' in operator.get(page).content.decode()


def test_resume_is_refused_for_a_worker_that_is_not_quiet(
    operator: Client, viewer: Client, services: Services
) -> None:
    add_worker(services, "w-1")
    assert viewer.post(url("resume")).status_code == 403
    response = operator.post(url("resume"), follow=True)
    assert "is not quiet" in response.content.decode()
    assert not WorkerCommandRecord.objects.exists()
    operator.post(url("stop"))
    operator.post(url("resume"))
    assert services.control.command_of("w-1").command is WorkerCommand.STOP  # type: ignore[union-attr]
    assert not AuditEntry.objects.filter(action="worker_resume").exists()
