"""/workers: the worker processes and their heartbeats."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Path, Router

from scheduler_core.bootstrap import get_services
from scheduler_core.domain import Worker

from .. import auth
from ..schemas import NO_NUL, ErrorOut, WorkerOut

router = Router(tags=["workers"])
ERRORS = dict.fromkeys((401, 403, 404, 422), ErrorOut)


@router.get("/workers", response={200: list[WorkerOut], **ERRORS}, summary="List workers")
def list_workers(request: HttpRequest) -> list[Worker]:
    """Every known worker, newest first, stopped ones included."""
    auth.require(request, auth.VIEW_WORKERS)
    return get_services().workers.list_workers()


@router.get("/workers/{worker_id}", response={200: WorkerOut, **ERRORS}, summary="Get a worker")
def get_worker(
    request: HttpRequest, worker_id: Annotated[str, Path(max_length=200, pattern=NO_NUL)]
) -> Worker:
    """One worker: its queues, concurrency, state, heartbeat and running tasks."""
    auth.require(request, auth.VIEW_WORKERS)
    return get_services().workers.get_worker(worker_id)
