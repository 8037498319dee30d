"""/queues: counts by status and the oldest due task's age; pause, resume, limit and rate claims."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router

from scheduler_core.bootstrap import get_queries, get_services
from scheduler_core.domain import TaskStatus
from scheduler_core.domain.queue_rates import QueueRate
from scheduler_core.queries import QueueStats, queue_stats
from scheduler_core.services.audit import queue_limit_details, queue_rate_details
from scheduler_core.web.operator_audit import audit_request

from .. import auth
from ..schemas import (
    ErrorOut,
    QueueLimitIn,
    QueueLimitOut,
    QueueOut,
    QueuePauseOut,
    QueueRateIn,
    QueueRateSetOut,
)

router = Router(tags=["queues"])
ERRORS = dict.fromkeys((401, 403, 422), ErrorOut)
# A request with a body can also be malformed JSON (400) or not JSON at all (415).
BODY_ERRORS = dict.fromkeys((400, 401, 403, 415, 422), ErrorOut)


@router.get("/queues", response={200: list[QueueOut], **ERRORS}, summary="List queues")
def list_queues(request: HttpRequest) -> list[dict[str, Any]]:
    """Every queue holding a task, paused, limited or rated: counts by status, oldest due age."""
    auth.require(request, auth.VIEW)
    queries = get_queries()
    now = queries.clock.now()
    scheduler = get_services().tasks
    paused = scheduler.paused_queues()
    limits = scheduler.queue_limits()
    rates = scheduler.queue_rates()
    stats = {queue.name: queue for queue in queue_stats(queries.database, now)}
    for name in (paused | limits.keys() | rates.keys()) - stats.keys():
        stats[name] = QueueStats(name=name, counts=dict.fromkeys(TaskStatus, 0))
    return [
        _queue(stats[name], name in paused, limits.get(name), rates.get(name), now)
        for name in sorted(stats)
    ]


def _queue(
    stats: QueueStats, paused: bool, limit: int | None, rate: QueueRate | None, now: datetime
) -> dict[str, Any]:
    oldest = stats.oldest_due_at
    return {
        "name": stats.name,
        "paused": paused,
        "limit": limit,
        "rate": None if rate is None else rate.as_json(),
        "counts": {status.value: count for status, count in stats.counts.items()},
        "oldest_ready_age_seconds": (
            None if oldest is None else max(0.0, (now - oldest).total_seconds())
        ),
    }


@router.post("/queues/{name}/pause", response={200: QueuePauseOut, **ERRORS}, summary="Pause")
def pause(request: HttpRequest, name: str) -> dict[str, Any]:
    """Stop workers claiming from the queue; running tasks go on, submits are still taken."""
    auth.require(request, auth.PAUSE_QUEUE)
    changed = get_services().tasks.pause_queue(name)
    audit_request(request, "pause_queue", source="api", target=name)
    return {"name": name, "paused": True, "changed": changed}


@router.post("/queues/{name}/resume", response={200: QueuePauseOut, **ERRORS}, summary="Resume")
def resume(request: HttpRequest, name: str) -> dict[str, Any]:
    """Let workers claim from the queue again."""
    auth.require(request, auth.PAUSE_QUEUE)
    changed = get_services().tasks.resume_queue(name)
    audit_request(request, "resume_queue", source="api", target=name)
    return {"name": name, "paused": False, "changed": changed}


@router.put(
    "/queues/{name}/limit", response={200: QueueLimitOut, **BODY_ERRORS}, summary="Set the limit"
)
def set_limit(request: HttpRequest, name: str, body: QueueLimitIn) -> dict[str, Any]:
    """At most `limit` tasks of the queue run at once across all workers; null lifts it."""
    auth.require(request, auth.PAUSE_QUEUE)
    previous = get_services().tasks.set_queue_limit(name, body.limit)
    action = "clear_queue_limit" if body.limit is None else "set_queue_limit"
    audit_request(
        request,
        action,
        source="api",
        target=name,
        details=queue_limit_details(body.limit, previous),
    )
    return {"name": name, "limit": body.limit}


@router.put(
    "/queues/{name}/rate", response={200: QueueRateSetOut, **BODY_ERRORS}, summary="Set the rate"
)
def set_rate(request: HttpRequest, name: str, body: QueueRateIn) -> dict[str, Any]:
    """At most `limit` task starts of the queue per second or minute, across all workers.

    With `partition_by`, each value of that keyword argument gets its own rate. A null limit
    lifts the rate.
    """
    auth.require(request, auth.PAUSE_QUEUE)
    rate = None if body.limit is None else QueueRate(body.limit, body.per, body.partition_by)
    return _set_rate(request, name, rate)


@router.delete(
    "/queues/{name}/rate", response={200: QueueRateSetOut, **ERRORS}, summary="Lift the rate"
)
def clear_rate(request: HttpRequest, name: str) -> dict[str, Any]:
    """Let the queue's tasks start as fast as workers claim them."""
    auth.require(request, auth.PAUSE_QUEUE)
    return _set_rate(request, name, None)


def _set_rate(request: HttpRequest, name: str, rate: QueueRate | None) -> dict[str, Any]:
    previous = get_services().tasks.set_queue_rate(name, rate)
    action = "clear_queue_rate" if rate is None else "set_queue_rate"
    audit_request(
        request, action, source="api", target=name, details=queue_rate_details(rate, previous)
    )
    return {"name": name, "rate": None if rate is None else rate.as_json()}
