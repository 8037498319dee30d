"""Schemathesis over the OpenAPI document, on SQLite and PostgreSQL: generated requests never
get a 5xx, and every response matches the documented schema.

Each operation on its own with generated input, then stateful runs that follow the links
schemathesis infers between operations (a created task's id into get, cancel, retry and
delete; a created schedule's name into get, change, pause and delete).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.handlers.wsgi import WSGIHandler
from django.db import transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.tokens import issue_token
from scheduler_core.bootstrap import Services

# Not traced by coverage: hundreds of generated requests walk the paths the example tests
# already measure, and tracing them cost about 40 % of these tests' CPU (make test).
pytestmark = pytest.mark.no_cover

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
# Generated from the schema alone: schemathesis also seeds its draws with string literals
# read from the application's source, so any edit anywhere in the code changed the
# scenarios it drew, and some of them tripped hypothesis's own consistency check
# (FlakyStrategyDefinition) instead of testing the API.
schema.config.analysis.constants.enabled = False
# Bounded so the whole run stays well under a minute: ~12 operations x this many requests.
EXAMPLES = 15


# Both engines: PostgreSQL refuses input (NUL, offsets past 15:59) that SQLite stores.
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
    case.validate_response(case.call(headers=admin_headers), checks=CHECKS)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Scenarios of up to this many linked calls each.
SCENARIOS = 25
STEPS = 8


def test_stateful_scenarios_get_no_server_errors(admin_headers: dict[str, str], alias: str) -> None:
    aliases = sorted({"default", alias})

    # The alert, workflow and queue rate routes are fuzzed one operation at a time above;
    # chained into these scenarios they made hypothesis report its own flakiness (responses
    # drawn from rows that sequences and caches outside the savepoint change) instead of a
    # result.
    linked = schema.exclude(path_regex=r"^/api/v1/(alerts|workflows|queues/{name}/rate)")

    class Scenarios(linked.as_state_machine()):  # type: ignore[misc]
        # Every scenario starts from the same rows: what one leaves behind would change
        # what the next one draws from the responses, which hypothesis takes for a flaky
        # strategy rather than report the failure it found.
        def setup(self) -> None:
            self.savepoints = {each: transaction.savepoint_create(using=each) for each in aliases}

        def teardown(self) -> None:
            for each, savepoint in self.savepoints.items():
                transaction.savepoint_rollback(savepoint, using=each)

        def get_call_kwargs(self, case: schemathesis.Case[Any]) -> dict[str, Any]:
            return {"headers": admin_headers}

        def validate_response(
            self, response: Response, case: schemathesis.Case[Any], **kwargs: Any
        ) -> None:
            case.validate_response(response, checks=CHECKS)

    Scenarios.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            # A fixed seed and no example database: the same scenarios every run.
            derandomize=True,
            database=None,
        )
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
