"""Errors Django raises before a route runs still answer API clients in the API's JSON shape.

A Host header outside ALLOWED_HOSTS is refused by Django's middleware (DisallowedHost) and
an unknown path under /api/ never reaches the API's router; both used to answer with
Django's HTML pages, which API clients cannot read. The fuzz test met the first one.
"""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from api.fallback_errors import server_error
from scheduler_core.bootstrap import Services


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """Django refuses these before any storage is touched: SQLite alone."""
    name: str = request.param
    return name


def test_a_host_header_outside_allowed_hosts_gets_a_json_400_naming_the_header(
    operator: Client, services: Services
) -> None:
    response = operator.post(
        "/api/v1/alerts/rules/1/silence", {}, content_type="application/json", HTTP_HOST='"ozJ+'
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "bad_request"
    assert error["field"] == "Host"
    assert "Host" in error["message"]


def test_an_unknown_api_path_gets_a_json_404(operator: Client, services: Services) -> None:
    response = operator.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


def test_pages_outside_the_api_keep_django_html_errors(
    operator: Client, services: Services
) -> None:
    response = operator.get("/tasks/", HTTP_HOST='"ozJ+')
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_the_last_resort_500_under_the_api_is_json_too() -> None:
    response = server_error(RequestFactory().get("/api/v1/tasks"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert server_error(RequestFactory().get("/tasks/"))["Content-Type"].startswith("text/html")
