"""Fixtures for hostile-input tests: the dashboard and admin on each database engine."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

# The demo tasks are what the forms submit and schedule.
from demo import tasks as demo_tasks  # noqa: F401
from scheduler_core.bootstrap import Services
from tests.roles import role_group

LoginAs = Callable[..., Client]


@pytest.fixture
def login_as(services: Services) -> LoginAs:
    """A client logged in as a new user of `role`; "superuser" for one who may do anything."""

    def make(role: str = "admin") -> Client:
        if role == "superuser":
            user = User.objects.create_superuser("root", password=None)
        else:
            user = User.objects.create_user(f"{role}-user")
            user.groups.add(role_group(role))
        client = Client()
        client.force_login(user)
        return client

    return make
