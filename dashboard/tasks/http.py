"""Small response helpers shared by the tasks views."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect


def is_htmx(request: HttpRequest) -> bool:
    """True for a request htmx made (a live refresh), which gets only the page's fragment."""
    # django-htmx's middleware sets request.htmx; falsy for ordinary browser requests.
    return bool(getattr(request, "htmx", False))


def see_other(url: str) -> HttpResponseRedirect:
    """A 303 redirect: after a POST, the browser GETs the page it is sent to."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response
