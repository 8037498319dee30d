"""Fixtures for the API tests: services on the database under test, users of each role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from api.tokens import issue_token
from scheduler_core.bootstrap import Services

# Registers the unique-key tasks (send_welcome) these tests submit.
from tests.integration.backend import sample_tasks  # noqa: F401
from tests.roles import role_group

MakeClient = Callable[..., Client]


@pytest.fixture
def client_for(services: Services) -> MakeClient:
    """A test client authenticated by a bearer token of a new user holding `role`."""

    def make(role: str = "operator", username: str | None = None) -> Client:
        # No password: hashing one costs half a second, and tokens need none.
        user = User.objects.create_user(username or f"{role or 'nobody'}-user")
        if role:
            user.groups.add(role_group(role))
        _, secret = issue_token(user, "tests")
        return Client(headers={"Authorization": f"Bearer {secret}"})

    return make


@pytest.fixture
def operator(client_for: MakeClient) -> Client:
    """A client of the operator role."""
    return client_for("operator")


def post(client: Client, url: str, body: Any = None) -> Any:
    """POST `body` as JSON."""
    return client.post(url, body if body is not None else {}, content_type="application/json")
