"""/tasks: submit, list, inspect, cancel, retry, run now and delete tasks."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Status
from pydantic import Field

from scheduler_core.bootstrap import get_services
from scheduler_core.domain import (
    Cursor,
    PageRequest,
    Task,
    TaskInvalid,
    UnknownTask,
)
from scheduler_core.domain.listing import MAX_PAGE_SIZE
from scheduler_core.web.operator_audit import audit_request

from .. import auth
from ..errors import ApiError
from ..ratelimit import check_submit_rate
from ..schemas import (
    BatchIn,
    BatchOut,
    ErrorOut,
    SubmitIn,
    TaskOut,
    TaskPageOut,
)
from ..submission import same_payload, submit_request
from ..task_filters import TaskFilterFields

router = Router(tags=["tasks"])
ERRORS = dict.fromkeys((400, 401, 403, 404, 409, 413, 415, 422, 429), ErrorOut)


class TaskListQuery(TaskFilterFields):
    """Filters of the task list, all optional and combined with AND, and the page wanted."""

    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE)


@router.post("/tasks", response={201: TaskOut, 200: TaskOut, **ERRORS}, summary="Submit a task")
def submit(request: HttpRequest, body: SubmitIn) -> Status[Task]:
    """Validate and store one task (201); a live task holding its unique key is returned (200)."""
    auth.require(request, auth.SUBMIT)
    submit_req = submit_request(body)
    # Counted once the service found the request valid, before it stores anything.
    submitted = get_services().tasks.submit(
        submit_req, admit=lambda: check_submit_rate(request.user.pk, 1)
    )
    task = submitted.task
    # A live holder of the unique key (given, or derived by the task) running another call.
    if not submitted.created and not same_payload(submit_req, task.name, task.args, task.kwargs):
        raise ApiError(
            409,
            "unique_key_conflict",
            f"task {task.id} holds this unique key with other arguments",
            field="unique_key",
        )
    if not submitted.created:
        # Nothing was stored or changed: no audit record, and no 201 Created.
        return Status(200, task)
    audit_request(request, "submit", [task], source="api")
    return Status(201, task)


@router.post("/tasks/batch", response={201: BatchOut, **ERRORS}, summary="Submit many tasks")
def submit_batch(request: HttpRequest, body: BatchIn) -> Status[dict[str, list[Task]]]:
    """Store every task or none (one transaction); at most 1,000 tasks per batch."""
    auth.require(request, auth.SUBMIT)
    requests = []
    for index, item in enumerate(body.tasks):
        try:
            requests.append(submit_request(item))
        except TaskInvalid as error:
            raise TaskInvalid(f"tasks[{index}].{error.field}", error.message) from error
        except UnknownTask as error:
            raise ApiError(422, "unknown_task", str(error), field=f"tasks[{index}].name") from error
    try:
        tasks = get_services().tasks.submit_many(
            requests, admit=lambda: check_submit_rate(request.user.pk, len(requests))
        )
    except TaskInvalid as error:
        # The services number a batch's entries "requests[i]"; this API calls them "tasks[i]".
        raise TaskInvalid(error.field.replace("requests[", "tasks[", 1), error.message) from error
    audit_request(request, "submit", tasks, source="api")
    return Status(201, {"tasks": tasks})


@router.get("/tasks", response={200: TaskPageOut, **ERRORS}, summary="List tasks")
def list_tasks(request: HttpRequest, query: Query[TaskListQuery]) -> dict[str, object]:
    """Tasks matching the filters, newest first, one cursor page at a time."""
    auth.require(request, auth.VIEW)
    task_filter = query.task_filter()
    after = Cursor.decode(query.cursor) if query.cursor else None
    page = get_services().tasks.list(task_filter, PageRequest(limit=query.limit, after=after))
    next_cursor = page.next_cursor.encode() if page.next_cursor else None
    return {"items": page.items, "next_cursor": next_cursor}


@router.get("/tasks/{task_id}", response={200: TaskOut, **ERRORS}, summary="Get a task")
def get_task(request: HttpRequest, task_id: UUID) -> Task:
    """The task with its arguments, result, errors with tracebacks, attempts and workers."""
    auth.require(request, auth.VIEW)
    return get_services().tasks.status(task_id)


@router.post("/tasks/{task_id}/cancel", response={200: TaskOut, **ERRORS}, summary="Cancel")
def cancel(request: HttpRequest, task_id: UUID) -> Task:
    """Cancel a waiting task; ask the worker of a running one to stop it (409 if finished)."""
    return _act(request, task_id, auth.CANCEL, "cancel")


@router.post("/tasks/{task_id}/retry", response={200: TaskOut, **ERRORS}, summary="Retry")
def retry(request: HttpRequest, task_id: UUID) -> Task:
    """Run a failed or cancelled task again (409 in any other state)."""
    return _act(request, task_id, auth.RETRY, "retry")


@router.post("/tasks/{task_id}/run-now", response={200: TaskOut, **ERRORS}, summary="Run now")
def run_now(request: HttpRequest, task_id: UUID) -> Task:
    """Make a scheduled or retrying task due at once (409 in any other state)."""
    return _act(request, task_id, auth.RUN_NOW, "run_now")


def _act(request: HttpRequest, task_id: UUID, permission: str, action: str) -> Task:
    """Check the permission, apply one operator action, and audit it with the prior state."""
    auth.require(request, permission)
    scheduler = get_services().tasks
    before = scheduler.status(task_id).status
    use_case: Callable[..., Task] = getattr(scheduler, action)
    task = use_case(task_id, actor=_actor(request))
    audit_request(request, action, [task], source="api", from_status=before)
    return task


@router.delete("/tasks/{task_id}", response={204: None, **ERRORS}, summary="Delete a task")
def delete(request: HttpRequest, task_id: UUID) -> Status[None]:
    """Delete a finished task and its history (admin role; 409 unless finished)."""
    auth.require(request, auth.DELETE)
    task = get_services().tasks.delete(task_id)
    audit_request(request, "delete", [task], source="api", from_status=task.status)
    return Status(204, None)


def _actor(request: HttpRequest) -> str:
    """How the transition log names the caller."""
    return f"api:{request.user.get_username()}"[:200]
