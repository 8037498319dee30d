"""The dashboard pages W4 times. One list, easy to edit as the pages are built.

Placeholders: {id} a loaded task, {queue} one of the loaded queues, {text} a search term
that occurs in one task's arguments, {common} a search term that occurs in every task's,
{name} a loaded task name.
"""

from __future__ import annotations

PAGE_URLS: tuple[tuple[str, str], ...] = (
    ("overview", "/"),
    ("tasks", "/tasks/"),
    ("tasks_failed", "/tasks/?status=failed"),
    ("tasks_queue", "/tasks/?queue={queue}"),
    ("tasks_search", "/tasks/?search={text}"),
    ("search_common", "/tasks/?search={common}"),
    ("queues", "/queues/"),
    ("task_detail", "/tasks/{id}/"),
    ("failures_24h", "/failures/"),
    ("failures_30d", "/failures/?window=30d"),
    ("tasks_error_group", "/tasks/?error=ValueError&failed_after=2000-01-01T00:00:00"),
    ("metrics_1h", "/stats/?window=1h"),
    ("metrics_24h", "/stats/"),
    ("metrics_30d", "/stats/?window=30d"),
    ("metrics_task_30d", "/stats/tasks/{name}/?window=30d"),
    ("metrics_queue_7d", "/stats/queues/{queue}/?window=7d"),
)
