"""/tasks/cancel and /tasks/retry: an operator action on every task a filter matches.

The API's door to the dashboard's "all matching" bulk action (services/bulk.py): the same
cap per request, the same one audit record for the whole action, the same counts.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from scheduler_core.bootstrap import get_services
from scheduler_core.domain import TaskFilter, TaskInvalid
from scheduler_core.services.bulk import BulkAction, BulkActions, BulkResult
from scheduler_core.web.operator_audit import audit_request

from .. import auth
from ..schemas import ErrorOut
from ..task_filters import TaskFilterFields

router = Router(tags=["tasks"])
ERRORS = dict.fromkeys((400, 401, 403, 415, 422), ErrorOut)


class BulkFilterIn(TaskFilterFields):
    """The task list's filters; with none set, `all` must be true to act on every task."""

    model_config = ConfigDict(extra="forbid")

    all: bool = Field(default=False, description="Act on every task when no filter is set")


class BulkOut(Schema):
    """What the action did to the tasks the filter matched, up to the cap per request."""

    action: str
    done: int = Field(description="Tasks the action was applied to")
    skipped: int = Field(description="Matching tasks it did not apply to (state, or changed)")
    capped: bool = Field(description="The cap stopped it: call again for the rest")
    limit: int = Field(description="The most tasks one request handles")
    reasons: list[str] = Field(description="Why the first skipped tasks were skipped")


@router.post("/tasks/cancel", response={200: BulkOut, **ERRORS}, summary="Cancel by filter")
def cancel_matching(request: HttpRequest, body: BulkFilterIn) -> dict[str, Any]:
    """Cancel every waiting task the filter matches; ask workers to stop running ones."""
    auth.require(request, auth.CANCEL)
    return _apply(request, BulkAction.CANCEL, body)


@router.post("/tasks/retry", response={200: BulkOut, **ERRORS}, summary="Retry by filter")
def retry_matching(request: HttpRequest, body: BulkFilterIn) -> dict[str, Any]:
    """Run every failed or cancelled task the filter matches again."""
    auth.require(request, auth.RETRY)
    return _apply(request, BulkAction.RETRY, body)


def _apply(request: HttpRequest, action: BulkAction, body: BulkFilterIn) -> dict[str, Any]:
    task_filter = body.task_filter()
    if task_filter == TaskFilter() and not body.all:
        raise TaskInvalid("all", "set a filter, or all: true to act on every task")
    bulk = BulkActions(get_services().tasks)
    actor = f"api:{request.user.get_username()}"[:200]
    result = bulk.apply_to_filter(action, task_filter, actor=actor)
    _audit(request, action, result, body)
    return {
        "action": action.value,
        "done": len(result.done),
        "skipped": result.skipped,
        "capped": result.capped,
        "limit": bulk.limit,
        "reasons": result.reasons,
    }


def _audit(
    request: HttpRequest, action: BulkAction, result: BulkResult, body: BulkFilterIn
) -> None:
    """One record for the whole action, as the dashboard writes it; none if nothing changed."""
    if not result.done:
        return
    before = sorted(result.from_statuses)
    shown = body.model_dump(mode="json", exclude_defaults=True)
    audit_request(
        request,
        f"bulk_{action.value}",
        result.tasks,
        source="api",
        from_status=before[0].value if len(before) == 1 else "mixed",
        target=f"filter {json.dumps(shown, sort_keys=True)}; {result.skipped} skipped"[:200],
    )
