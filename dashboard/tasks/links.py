"""Links from the tasks pages to pages other areas own."""

from __future__ import annotations

from urllib.parse import quote

from django.urls import NoReverseMatch, reverse


def worker_url(worker_id: str) -> str:
    """The worker's dashboard page; its plain path while that page's route is not there."""
    try:
        return reverse("dashboard:workers:detail", args=[worker_id])
    # The workers area may not route single workers (yet), or the id may not fit its pattern.
    except NoReverseMatch:
        return f"/workers/{quote(worker_id, safe='')}/"
