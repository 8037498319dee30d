"""Failures: failed attempts grouped by task name and error type, each group one click away
from its tasks and from retrying or cancelling all of them through the bulk path."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from dashboard.access import page
from dashboard.spans import SPANS, span_from_query
from dashboard.tasks.operations import OPERATIONS, Operation
from scheduler_core.bootstrap import get_queries
from scheduler_core.queries import FailureGroup, failure_groups
from scheduler_core.services.bulk import BulkAction

# Groups shown, biggest first; past this the page says how to narrow the window.
MAX_GROUPS = 100
# Windows this long start on a whole minute and are read once a minute (Django's cache): a
# month of error rows joined to their tasks took 0.3 to 0.7 s at a million tasks (W4).
CACHED_FROM = timedelta(days=7)
CACHE_SECONDS = 60
# The group actions: retry what failed for good, cancel what still waits to retry.
GROUP_ACTIONS = (BulkAction.RETRY, BulkAction.CANCEL)


@dataclass(frozen=True, slots=True)
class GroupLink:
    """A bulk action on every task of a group, as a link to its confirm page."""

    operation: Operation
    url: str


@dataclass(frozen=True, slots=True)
class GroupRow:
    """One group with the address of its tasks and of the actions the user may take."""

    group: FailureGroup
    tasks_url: str
    actions: list[GroupLink]


def group_query(group: FailureGroup, since: datetime) -> str:
    """The task list's filter matching the group: its name, error type and window."""
    return urlencode(
        {
            "name": group.name,
            "error": group.exception_type,
            # Whole seconds, the form a datetime-local field keeps when the filter is edited.
            "failed_after": since.strftime("%Y-%m-%dT%H:%M:%S"),
        }
    )


def _groups(using: str, since: datetime, *, cached: bool) -> list[FailureGroup]:
    if not cached:
        return failure_groups(using, since, MAX_GROUPS)
    key = f"scheduler.failures:{using}:{int(since.timestamp())}"
    groups: list[FailureGroup] | None = cache.get(key)
    if groups is None:
        groups = failure_groups(using, since, MAX_GROUPS)
        cache.set(key, groups, timeout=CACHE_SECONDS)
    return groups


@page()
def failures(request: HttpRequest) -> HttpResponse:
    """The groups of attempts failed within the chosen window, biggest first."""
    span = span_from_query(request.GET.get("window"))
    queries = get_queries()
    using = queries.database
    # The window starts on a whole second, so the groups and their list links agree.
    since = (queries.clock.now() - span.length).replace(microsecond=0)
    if span.length >= CACHED_FROM:
        since = since.replace(second=0)
    operations = [
        OPERATIONS[action]
        for action in GROUP_ACTIONS
        if request.user.has_perm(OPERATIONS[action].permission)
    ]
    rows = []
    for group in _groups(using, since, cached=span.length >= CACHED_FROM):
        query = group_query(group, since)
        links = [
            GroupLink(
                op, f"{reverse('dashboard:tasks:bulk_filter', args=[op.action.value])}?{query}"
            )
            for op in operations
        ]
        rows.append(GroupRow(group, f"{reverse('dashboard:tasks:list')}?{query}", links))
    context = {
        "span": span,
        "spans": SPANS.values(),
        "since": since,
        "rows": rows,
        "max_groups": MAX_GROUPS,
        "cached": span.length >= CACHED_FROM,
    }
    return render(request, "dashboard/failures/page.html", context)
