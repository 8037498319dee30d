"""/queues: counts by status and the oldest due task's age; pause, resume and limit claims."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router

from scheduler_core.bootstrap import get_services
from scheduler_core.domain import TaskStatus
from scheduler_core.services.audit import queue_limit_details
from scheduler_core.storage.db_clock import DatabaseClock
from scheduler_core.storage.stats import QueueStats, queue_stats

from .. import auth
from ..audit import audit
from ..schemas import ErrorOut, QueueLimitIn, QueueLimitOut, QueueOut, QueuePauseOut

router = Router(tags=["queues"])
ERRORS = dict.fromkeys((401, 403, 422), ErrorOut)
# A request with a body can also be malformed JSON (400) or not JSON at all (415).
BODY_ERRORS = dict.fromkeys((400, 401, 403, 415, 422), ErrorOut)


@router.get("/queues", response={200: list[QueueOut], **ERRORS}, summary="List queues")
def list_queues(request: HttpRequest) -> list[dict[str, Any]]:
    """Every queue holding a task, paused or limited: counts by status, oldest due task's age."""
    auth.require(request, auth.VIEW)
    using = settings.SCHEDULER.get("DATABASE", "default")
    now = DatabaseClock(using).now()
    scheduler = get_services().scheduler
    paused = scheduler.paused_queues()
    limits = scheduler.queue_limits()
    stats = {queue.name: queue for queue in queue_stats(using)}
    for name in (paused | limits.keys()) - stats.keys():
        stats[name] = QueueStats(name=name, counts=dict.fromkeys(TaskStatus, 0))
    return [_queue(stats[name], name in paused, limits.get(name), now) for name in sorted(stats)]


def _queue(stats: QueueStats, paused: bool, limit: int | None, now: datetime) -> dict[str, Any]:
    oldest = stats.oldest_due_at
    return {
        "name": stats.name,
        "paused": paused,
        "limit": limit,
        "counts": {status.value: count for status, count in stats.counts.items()},
        "oldest_ready_age_seconds": (
            None if oldest is None else max(0.0, (now - oldest).total_seconds())
        ),
    }


@router.post("/queues/{name}/pause", response={200: QueuePauseOut, **ERRORS}, summary="Pause")
def pause(request: HttpRequest, name: str) -> dict[str, Any]:
    """Stop workers claiming from the queue; running tasks go on, submits are still taken."""
    auth.require(request, auth.PAUSE_QUEUE)
    changed = get_services().scheduler.pause_queue(name)
    audit(request, "pause_queue", target=name)
    return {"name": name, "paused": True, "changed": changed}


@router.post("/queues/{name}/resume", response={200: QueuePauseOut, **ERRORS}, summary="Resume")
def resume(request: HttpRequest, name: str) -> dict[str, Any]:
    """Let workers claim from the queue again."""
    auth.require(request, auth.PAUSE_QUEUE)
    changed = get_services().scheduler.resume_queue(name)
    audit(request, "resume_queue", target=name)
    return {"name": name, "paused": False, "changed": changed}


@router.put(
    "/queues/{name}/limit", response={200: QueueLimitOut, **BODY_ERRORS}, summary="Set the limit"
)
def set_limit(request: HttpRequest, name: str, body: QueueLimitIn) -> dict[str, Any]:
    """At most `limit` tasks of the queue run at once across all workers; null lifts it."""
    auth.require(request, auth.PAUSE_QUEUE)
    previous = get_services().scheduler.set_queue_limit(name, body.limit)
    action = "clear_queue_limit" if body.limit is None else "set_queue_limit"
    audit(request, action, target=name, details=queue_limit_details(body.limit, previous))
    return {"name": name, "limit": body.limit}
