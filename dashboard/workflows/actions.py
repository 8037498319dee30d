"""Operator actions on a whole run: cancel it, retry its failed steps (POST only, audited)."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from dashboard.access import action
from scheduler_core.bootstrap import get_services
from scheduler_core.domain import WorkflowNotFound
from scheduler_core.services import RunActionReport
from scheduler_core.web.operator_audit import audit_request
from scheduler_core.web.permissions import CANCEL, RETRY


@action(CANCEL)
def cancel(request: HttpRequest, run_id: UUID) -> HttpResponse:
    """Cancel every unfinished step of the run; running ones are asked to stop."""
    return _act(request, run_id, get_services().workflows.cancel, "cancel_workflow", "Cancelled")


@action(RETRY)
def retry_failed(request: HttpRequest, run_id: UUID) -> HttpResponse:
    """Retry the run's failed steps; the steps their failure cancelled wait for them again."""
    use_case = get_services().workflows.retry_failed
    return _act(request, run_id, use_case, "retry_workflow", "Retried")


def _act(
    request: HttpRequest,
    run_id: UUID,
    use_case: Callable[..., RunActionReport],
    audit_action: str,
    verb: str,
) -> HttpResponse:
    try:
        report = use_case(run_id, actor=request.user.get_username())
    except WorkflowNotFound as error:
        raise Http404(f"no workflow run {run_id}") from error
    audit_request(
        request,
        audit_action,
        source="dashboard",
        target=str(run_id),
        details={"changed": report.changed},
    )
    plural = "" if report.changed == 1 else "s"
    messages.success(request, f"{verb} {report.changed} step{plural}.")
    return HttpResponseRedirect(reverse("dashboard:workflows:detail", args=[run_id]), status=303)
