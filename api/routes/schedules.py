"""/schedules: list, inspect, create, change, delete, pause, resume and run periodic schedules.

Creating, changing and deleting need manage_schedules (the admin role). Pause, resume and
run now need run_task_now (the operator role), as in the dashboard: stopping or starting a
schedule's runs is day-to-day operation, like pausing a queue.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path, Router, Status

from scheduler_core.bootstrap import get_services
from scheduler_core.domain import Schedule, Task
from scheduler_core.schedules.cron import describe
from scheduler_core.web.operator_audit import audit_request

from .. import auth
from ..errors import ApiError
from ..schedule_schemas import ScheduleIn, ScheduleOut, SchedulePatch
from ..schemas import NO_NUL, ErrorOut, TaskOut

router = Router(tags=["schedules"])
ERRORS = dict.fromkeys((400, 401, 403, 404, 415, 422), ErrorOut)
# PATCH fields that may be set to null: the other timing, and the task defaults.
NULLABLE = {"cron", "interval_seconds", "queue", "priority", "max_attempts"}
# A schedule's name in a path; no stored name holds a NUL, which PostgreSQL refuses in queries.
Name = Annotated[str, Path(max_length=200, pattern=NO_NUL)]


@router.get("/schedules", response={200: list[ScheduleOut], **ERRORS}, summary="List schedules")
def list_schedules(request: HttpRequest) -> list[dict[str, Any]]:
    """Every schedule by name, with its next five fire times."""
    auth.require(request, auth.VIEW)
    return [_out(schedule) for schedule in get_services().schedules.all()]


@router.get("/schedules/{name}", response={200: ScheduleOut, **ERRORS}, summary="Get a schedule")
def get_schedule(request: HttpRequest, name: Name) -> dict[str, Any]:
    """One schedule, with its next five fire times."""
    auth.require(request, auth.VIEW)
    return _out(get_services().schedules.get(name))


@router.post("/schedules", response={201: ScheduleOut, **ERRORS}, summary="Create a schedule")
def create(request: HttpRequest, body: ScheduleIn) -> Status[dict[str, Any]]:
    """Validate and store a schedule; 422 names the field at fault and nothing is saved."""
    auth.require(request, auth.MANAGE_SCHEDULES)
    schedule = get_services().schedules.create(Schedule(**body.model_dump()))
    audit_request(request, "create_schedule", source="api", target=schedule.name)
    return Status(201, _out(schedule))


@router.patch("/schedules/{name}", response={200: ScheduleOut, **ERRORS}, summary="Change")
def change(request: HttpRequest, name: Name, body: SchedulePatch) -> dict[str, Any]:
    """Change the given fields; a new timing restarts the schedule from its next fire time."""
    auth.require(request, auth.MANAGE_SCHEDULES)
    service = get_services().schedules
    schedule = service.get(name)
    for field, value in body.model_dump(exclude_unset=True).items():
        if value is None and field not in NULLABLE:
            raise ApiError(422, "invalid", "must not be null", field=field)
        setattr(schedule, field, value)
    changed = service.change(schedule)
    audit_request(request, "change_schedule", source="api", target=name)
    return _out(changed)


@router.delete("/schedules/{name}", response={204: None, **ERRORS}, summary="Delete")
def delete(request: HttpRequest, name: Name) -> Status[None]:
    """Delete the schedule; tasks it already fired are left alone."""
    auth.require(request, auth.MANAGE_SCHEDULES)
    get_services().schedules.delete(name)
    audit_request(request, "delete_schedule", source="api", target=name)
    return Status(204, None)


@router.post("/schedules/{name}/pause", response={200: ScheduleOut, **ERRORS}, summary="Pause")
def pause(request: HttpRequest, name: Name) -> dict[str, Any]:
    """Stop the schedule firing until it is resumed."""
    return _set_enabled(request, name, enabled=False)


@router.post("/schedules/{name}/resume", response={200: ScheduleOut, **ERRORS}, summary="Resume")
def resume(request: HttpRequest, name: Name) -> dict[str, Any]:
    """Let the schedule fire again."""
    return _set_enabled(request, name, enabled=True)


@router.post("/schedules/{name}/run-now", response={201: TaskOut, **ERRORS}, summary="Run now")
def run_now(request: HttpRequest, name: Name) -> Status[Task]:
    """Submit one task of the schedule at once, paused or not; its next run stays put."""
    auth.require(request, auth.RUN_NOW)
    task = get_services().schedules.run_now(name, actor=f"api:{request.user.get_username()}")
    audit_request(request, "run_schedule_now", [task], source="api", target=name)
    return Status(201, task)


def _set_enabled(request: HttpRequest, name: str, *, enabled: bool) -> dict[str, Any]:
    """Check the permission, pause or resume the schedule, and audit it."""
    auth.require(request, auth.RUN_NOW)
    schedule = get_services().schedules.set_enabled(name, enabled)
    audit_request(
        request, "resume_schedule" if enabled else "pause_schedule", source="api", target=name
    )
    return _out(schedule)


def _out(schedule: Schedule) -> dict[str, Any]:
    """The response body of a schedule."""
    return {
        **{field: getattr(schedule, field) for field in ScheduleIn.model_fields},
        "next_run_at": schedule.next_run_at,
        "last_run_at": schedule.last_run_at,
        "next_runs": get_services().schedules.next_runs(schedule, 5),
        "description": _describe(schedule),
    }


def _describe(schedule: Schedule) -> str:
    """The timing in words: cron-descriptor for a cron expression, as the admin shows it."""
    if schedule.cron:
        return describe(schedule.cron)
    return f"Every {schedule.interval_seconds} seconds"
