"""Django's error views for requests the API's router never saw, in the API's JSON shape.

Django answers some requests before any route runs: a Host header outside ALLOWED_HOSTS
(DisallowedHost, 400) or a path under /api/ that no route matches (404). Its default views
render HTML, which an API client cannot read; under /api/ these views answer with the same
`{"error": {...}}` body every route uses. Other paths keep Django's pages.
"""

from __future__ import annotations

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from .errors import error_body

API_PREFIX = "/api/"


def _for_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400: a request Django refused as malformed or suspicious."""
    if not _for_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, DisallowedHost):
        # The message names the offending value; the header is what the client can fix.
        body = error_body("bad_request", "the Host header is not one this server serves", "Host")
    else:
        body = error_body("bad_request", "the request is malformed")
    return JsonResponse(body, status=400)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: no route matches the path."""
    if not _for_api(request):
        return defaults.page_not_found(request, exception)
    return JsonResponse(error_body("not_found", f"no API route at {request.path}"), status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: the last resort, logged by Django before this runs."""
    if not _for_api(request):
        return defaults.server_error(request)
    return JsonResponse(error_body("server_error", "the server failed; it is logged"), status=500)
