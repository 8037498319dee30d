"""The dashboard's submit pages (placeholder until built)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dashboard.access import page


@page()
def index(request: HttpRequest) -> HttpResponse:
    """Placeholder page."""
    return render(request, "dashboard/placeholder.html", {"title": "submit"})
