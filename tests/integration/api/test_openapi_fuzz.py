"""Schemathesis over the OpenAPI document: generated requests never get a 5xx, and every
response matches the documented schema."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.tokens import issue_token
from scheduler_core.bootstrap import Services

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
# Bounded so the whole run stays well under a minute: ~12 operations x this many requests.
EXAMPLES = 25


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """The web layer is what is fuzzed: SQLite alone."""
    name: str = request.param
    return name


@pytest.fixture
def admin_headers(services: Services) -> dict[str, str]:
    """A token of a superuser, so that every operation runs past its permission check."""
    user = User.objects.create_user("fuzzer", is_superuser=True)
    _, secret = issue_token(user, "fuzz")
    return {"Authorization": f"Bearer {secret}"}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_server_errors_and_responses_match_the_schema(
    case: schemathesis.Case[Any], admin_headers: dict[str, str]
) -> None:
    response = case.call(headers=admin_headers)
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )


def test_the_openapi_document_and_docs_page_are_served(services: Services) -> None:
    from django.test import Client

    response = Client().get("/api/v1/openapi.json")
    document = response.json()

    assert document["info"]["title"] == "Scheduler API"
    # Public by design (docs/api.md): the shape of the API only, nothing of this installation.
    assert b"demo.tasks" not in response.content
    assert "/api/v1/tasks/{task_id}/run-now" in document["paths"]
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    # Swagger UI comes from our own static files, not a third-party CDN.
    assert b"/static/ninja/swagger-ui-bundle.js" in docs.content
    assert b"cdn.jsdelivr" not in docs.content
