"""The worker a URL names, or 404: shared by the worker's page and its controls."""

from __future__ import annotations

from django.http import Http404

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Worker, WorkerNotFound
from scheduler_core.domain.worker import MAX_WORKER_ID_LENGTH


def worker_or_404(services: Services, worker_id: str) -> Worker:
    """The worker with this id; Http404 for an unknown or impossibly long one."""
    if len(worker_id) > MAX_WORKER_ID_LENGTH:
        raise Http404("no such worker")
    try:
        return services.workers.get_worker(worker_id)
    except WorkerNotFound:
        raise Http404("no such worker") from None
