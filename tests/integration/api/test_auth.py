"""Authentication: bearer tokens (revocable) and sessions with CSRF."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from api.tokens import issue_token, revoke_token
from scheduler_core.bootstrap import Services

from .conftest import MakeClient, post

TASKS = "/api/v1/tasks"


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """Authentication does not depend on the storage engine: SQLite alone."""
    name: str = request.param
    return name


def test_no_credentials_is_401_with_a_challenge(services: Services) -> None:
    response = Client().get(TASKS)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_wrong_token_is_401(services: Services) -> None:
    response = Client(headers={"Authorization": "Bearer sch_not-a-token"}).get(TASKS)

    assert response.status_code == 401


def test_a_revoked_token_is_refused(services: Services) -> None:
    user = User.objects.create_user("ops", is_superuser=True)
    token, secret = issue_token(user, "ci")
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    assert client.get(TASKS).status_code == 200

    assert revoke_token(token.pk)

    assert client.get(TASKS).status_code == 401
    assert not revoke_token(token.pk)


def test_a_token_of_an_inactive_user_is_refused(services: Services) -> None:
    user = User.objects.create_user("gone", is_active=False)
    _, secret = issue_token(user, "ci")

    assert Client(headers={"Authorization": f"Bearer {secret}"}).get(TASKS).status_code == 401


def test_tokens_are_stored_hashed_and_stamped_when_used(client_for: MakeClient) -> None:
    client_for("viewer").get(TASKS)

    [token] = User.objects.get(username="viewer-user").api_tokens.all()
    assert len(token.digest) == 64 and token.prefix.startswith("sch_")
    assert token.last_used_at is not None


def test_a_session_reads_and_must_send_csrf_to_write(services: Services) -> None:
    user = User.objects.create_user("boss", is_superuser=True)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)

    assert browser.get(TASKS).status_code == 200
    refused = post(browser, TASKS, {"name": "demo.tasks.noop"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "csrf_failed")

    browser.get("/admin/login/")  # any page that sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(
        TASKS,
        {"name": "demo.tasks.noop"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert accepted.status_code == 201
