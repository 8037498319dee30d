"""Links from the tasks pages to pages other areas own."""

from __future__ import annotations

from django.urls import reverse


def worker_url(worker_id: str) -> str:
    """The worker's dashboard page (its route takes any text, slashes included)."""
    return reverse("dashboard:workers:detail", args=[worker_id])
