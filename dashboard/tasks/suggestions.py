"""What the search box suggests: the registered task names and the queues holding tasks."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

from dashboard.submit.catalog import task_names
from scheduler_core.bootstrap import get_queries
from scheduler_core.queries import queue_counts

# Queue names change rarely; every full page draws the box, so they are read twice a minute.
QUEUES_CACHE_SECONDS = 30


def known_queues() -> list[str]:
    """Queues that hold a task, from the trigger-kept counters, cached for half a minute."""
    using = get_queries().database
    key = f"scheduler.search.queues:{using}"
    queues: list[str] | None = cache.get(key)
    if queues is None:
        queues = sorted(queue_counts(using))
        cache.set(key, queues, timeout=QUEUES_CACHE_SECONDS)
    return queues


def search_choices() -> list[str]:
    """Every task name, then every queue not also a task name, each sorted."""
    names = task_names()
    return names + [queue for queue in known_queues() if queue not in set(names)]


def search_box(request: HttpRequest) -> dict[str, object]:
    """Context processor: the choices, as a callable the template calls only if it shows
    the box (full pages, not the live fragments), so no other response pays the query."""
    return {"search_choices": search_choices}
