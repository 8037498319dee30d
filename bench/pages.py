"""The dashboard pages W4 times. One list, easy to edit as the pages are built.

Placeholders: {id} a loaded task, {queue} one of the loaded queues, {text} a search term
that occurs in some tasks' arguments.
"""

from __future__ import annotations

PAGE_URLS: tuple[tuple[str, str], ...] = (
    ("overview", "/"),
    ("tasks", "/tasks/"),
    ("tasks_failed", "/tasks/?status=failed"),
    ("tasks_queue", "/tasks/?queue={queue}"),
    ("tasks_search", "/tasks/?search={text}"),
    ("queues", "/queues/"),
    ("task_detail", "/tasks/{id}/"),
)
