"""Quiet, resume and stop a worker from its page: POST only, operator role, audited.

The command lands in the database; the worker's control thread reads it within a second
(at once on PostgreSQL, which notifies it) and says when it obeyed (docs/workers.md).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from dashboard.access import action
from dashboard.tasks.http import see_other
from scheduler_core.bootstrap import Services, get_services
from scheduler_core.domain.worker_commands import WorkerCommand
from scheduler_core.web.operator_audit import audit_request
from scheduler_core.web.permissions import CONTROL_WORKER

from .lookup import worker_or_404

DONE = {
    WorkerCommand.QUIET: "will claim no more tasks and finish what it runs",
    WorkerCommand.STOP: "will finish what it runs, then exit",
    WorkerCommand.RESUME: "will claim tasks again",
}


def _ask(request: HttpRequest, worker_id: str, command: WorkerCommand) -> HttpResponse:
    services = get_services()
    worker = worker_or_404(services, worker_id)
    page = reverse("dashboard:workers:detail", args=[worker_id])
    if worker.state.has_exited:
        messages.error(request, f"Worker {worker_id} has already {worker.state.value}.")
        return see_other(page)
    if command is WorkerCommand.RESUME and not _quieted(services, worker_id):
        # Only a quiet is taken back: a stopping worker drains whatever is asked.
        messages.error(request, f"Worker {worker_id} is not quiet; there is nothing to resume.")
        return see_other(page)
    services.control.ask(worker_id, command, actor=request.user.get_username())
    audit_request(
        request,
        f"worker_{command.value}",
        source="dashboard",
        target=f"worker {worker_id}",
        from_status=worker.state.value,
    )
    messages.success(request, f"Worker {worker_id} {DONE[command]}.")
    return see_other(page)


@action(CONTROL_WORKER)
def quiet(request: HttpRequest, worker_id: str) -> HttpResponse:
    """Ask the worker to stop claiming; it stays up."""
    return _ask(request, worker_id, WorkerCommand.QUIET)


@action(CONTROL_WORKER)
def resume(request: HttpRequest, worker_id: str) -> HttpResponse:
    """Ask a quiet worker to claim again."""
    return _ask(request, worker_id, WorkerCommand.RESUME)


def _quieted(services: Services, worker_id: str) -> bool:
    state = services.control.command_of(worker_id)
    return state is not None and state.command is WorkerCommand.QUIET


@action(CONTROL_WORKER)
def stop(request: HttpRequest, worker_id: str) -> HttpResponse:
    """Ask the worker to drain and exit, as SIGTERM would."""
    return _ask(request, worker_id, WorkerCommand.STOP)
