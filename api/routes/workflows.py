"""/workflows: enqueue a run of steps, list and inspect runs, cancel a run, retry its failures."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from scheduler_core.bootstrap import get_services
from scheduler_core.services import RunActionReport, RunSummary, RunView
from scheduler_core.web.operator_audit import audit_request
from scheduler_core.web.workflow_requests import StepInput, step_requests

from .. import auth
from ..ratelimit import check_submit_rate
from ..schemas import NO_NUL, ErrorOut
from ..workflow_schemas import (
    RunActionOut,
    WorkflowIn,
    WorkflowListOut,
    WorkflowOut,
)

router = Router(tags=["workflows"])
ERRORS = dict.fromkeys((400, 401, 403, 404, 409, 413, 415, 422, 429), ErrorOut)


class WorkflowListQuery(Schema):
    """Filters of the run list; both optional."""

    name: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    status: str | None = Field(default=None, pattern="^(running|succeeded|failed|cancelled)$")
    limit: int = Field(default=50, ge=1, le=200)


@router.post("/workflows", response={201: WorkflowOut, **ERRORS}, summary="Enqueue a workflow")
def enqueue(request: HttpRequest, body: WorkflowIn) -> Status[dict[str, Any]]:
    """Check every step (task, arguments, keys, no cycle), then store the run in one write."""
    auth.require(request, auth.SUBMIT)
    steps = step_requests(
        [
            StepInput(
                key=step.key,
                task=step.task,
                args=step.args,
                kwargs=step.kwargs,
                after=step.after,
                queue=step.queue,
                priority=step.priority,
                max_attempts=step.max_attempts,
                ignore_failure_of=step.ignore_failure_of,
            )
            for step in body.steps
        ]
    )
    check_submit_rate(request.user.pk, len(steps))
    view = get_services().workflows.enqueue(body.name, steps)
    audit_request(request, "submit_workflow", view.steps, source="api", target=str(view.id))
    return Status(201, run_out(view))


@router.get("/workflows", response={200: WorkflowListOut, **ERRORS}, summary="List workflows")
def list_workflows(request: HttpRequest, query: Query[WorkflowListQuery]) -> dict[str, Any]:
    """The newest runs, by name and status if asked, with their steps counted by status."""
    auth.require(request, auth.VIEW)
    runs = get_services().workflows.list_runs(
        name=query.name, status=query.status, limit=query.limit
    )
    return {"items": [summary_out(summary) for summary in runs]}


@router.get("/workflows/{run_id}", response={200: WorkflowOut, **ERRORS}, summary="Get a run")
def get_workflow(request: HttpRequest, run_id: UUID) -> dict[str, Any]:
    """The run with every step's status, parents first."""
    auth.require(request, auth.VIEW)
    return run_out(get_services().workflows.get(run_id))


@router.post("/workflows/{run_id}/cancel", response={200: RunActionOut, **ERRORS}, summary="Cancel")
def cancel(request: HttpRequest, run_id: UUID) -> RunActionReport:
    """Cancel every unfinished step; running ones are asked to stop."""
    auth.require(request, auth.CANCEL)
    report = get_services().workflows.cancel(run_id, actor=_actor(request))
    changed = {"changed": report.changed}
    audit_request(request, "cancel_workflow", source="api", target=str(run_id), details=changed)
    return report


@router.post(
    "/workflows/{run_id}/retry-failed", response={200: RunActionOut, **ERRORS}, summary="Retry"
)
def retry_failed(request: HttpRequest, run_id: UUID) -> RunActionReport:
    """Retry the run's failed steps; the steps their failure cancelled wait for them again."""
    auth.require(request, auth.RETRY)
    report = get_services().workflows.retry_failed(run_id, actor=_actor(request))
    changed = {"changed": report.changed}
    audit_request(request, "retry_workflow", source="api", target=str(run_id), details=changed)
    return report


def run_out(view: RunView) -> dict[str, Any]:
    """The response body of one run."""
    parents = view.parents_by_child()
    return {
        "id": view.id,
        "name": view.run.name,
        "status": view.status,
        "created_at": view.run.created_at,
        "steps": [
            {
                "key": task.step_key,
                "task_id": task.id,
                "task": task.name,
                "status": task.status,
                "after": [str(parent.step_key) for parent in parents.get(task.id, [])],
                "parents_left": task.parents_left,
                "upstream_failed": task.upstream_failed,
                "attempt": task.attempt,
                "finished_at": task.finished_at,
            }
            for task in view.parents_first()
        ],
    }


def summary_out(summary: RunSummary) -> dict[str, Any]:
    """The list entry of one run."""
    return {
        "id": summary.id,
        "name": summary.run.name,
        "status": summary.status,
        "created_at": summary.run.created_at,
        "counts": {status.value: n for status, n in summary.counts.items()},
    }


def _actor(request: HttpRequest) -> str:
    return f"api:{request.user.get_username()}"[:200]
