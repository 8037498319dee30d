"""The overview page: queue counts, workers, and charts of the last hour or day."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from dashboard.access import page
from dashboard.charts import bar_chart, line_chart
from dashboard.htmx import HtmxHttpRequest

from .snapshot import STATUSES, take_snapshot
from .windows import WINDOWS, window_from_query

TEMPLATE = "dashboard/overview/page.html"


@page()
def overview(request: HtmxHttpRequest) -> HttpResponse:
    """The whole page, or only its live stats region for an htmx poll or window switch."""
    window = window_from_query(request.GET.get("window"))
    snapshot = take_snapshot(window)
    context = {
        "snapshot": snapshot,
        "statuses": [status.value for status in STATUSES],
        "window": window,
        "windows": WINDOWS.values(),
        "charts": [
            (snapshot.throughput, bar_chart(snapshot.throughput)),
            (snapshot.failures, bar_chart(snapshot.failures)),
            (snapshot.wait, line_chart(snapshot.wait)),
        ],
    }
    # A history restore (back button after a window switch) needs the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, f"{TEMPLATE}#stats", context)
    return render(request, TEMPLATE, context)
